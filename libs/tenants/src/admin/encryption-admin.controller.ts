import { Controller, Get, HttpCode, Inject, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AppError } from '@mlc/platform-errors';
import { AdminExceptionFilter } from './admin-exception.filter';
import { OperatorAuthGuard, type OperatorIdentity } from './operator-auth.guard';
import type { ResolvedAdminOptions } from './tenants-admin.options';
import { TENANTS_ADMIN_OPTIONS } from './tenants-admin.tokens';

type AdminRequest = IncomingMessage & { operator: OperatorIdentity };

/**
 * Credential-encryption keys, for operators with an all-tenants key: which key ids the stored values are sealed
 * under, and the re-encrypt command of a key rotation (put the new key first in MLC_ENCRYPTION_KEYS, keep the old
 * one after it, re-encrypt, check that nothing uses the old one, then drop it).
 */
@Controller('admin/encryption')
@UseGuards(OperatorAuthGuard)
@UseFilters(AdminExceptionFilter)
export class EncryptionAdminController {
  constructor(@Inject(TENANTS_ADMIN_OPTIONS) private readonly opts: ResolvedAdminOptions) {}

  @Get()
  usage(@Req() req: AdminRequest) {
    allTenants(req.operator);
    return this.opts.config.keyUsage();
  }

  @Post('reencrypt')
  @HttpCode(200)
  async reencrypt(@Req() req: AdminRequest) {
    allTenants(req.operator);
    const result = await this.opts.config.reencryptAll();
    return { ...result, usage: await this.opts.config.keyUsage(), actor: req.operator.actor };
  }
}

function allTenants(who: OperatorIdentity): void {
  if (who.tenant !== '*') throw new AppError('TENANTS.FORBIDDEN', 'encryption keys span every tenant: this needs an all-tenants operator key');
}
