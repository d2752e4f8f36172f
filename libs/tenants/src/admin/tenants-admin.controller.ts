import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';
import type { IncomingMessage } from 'node:http';
import { validateMappingKind } from '../tenant-config.validation';
import { TenantValidationError } from '../tenants.errors';
import { PARTNERS, type ConnectionInput, type Partner, type TenantInput } from '../tenants.types';
import { AdminExceptionFilter } from './admin-exception.filter';
import { mayAccess, OperatorAuthGuard, type OperatorIdentity } from './operator-auth.guard';
import type { ResolvedAdminOptions } from './tenants-admin.options';
import { TENANTS_ADMIN_OPTIONS } from './tenants-admin.tokens';

type AdminRequest = IncomingMessage & { operator: OperatorIdentity; body?: unknown };
interface TextResponse {
  status(code: number): TextResponse;
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

function partnerParam(p: string): Partner {
  if (!(PARTNERS as readonly string[]).includes(p))
    throw new TenantValidationError([{ field: 'partner', reason: `must be one of: ${PARTNERS.join(', ')}` }], 'request');
  return p as Partner;
}

function versionOf(body: unknown): number | undefined {
  const v = (body as { expectedVersion?: unknown } | undefined)?.expectedVersion;
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new TenantValidationError([{ field: 'expectedVersion', reason: 'must be a whole number' }], 'request');
  return v;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new TenantValidationError([{ field: 'body', reason: 'must be a JSON object' }], 'request');
  return body as Record<string, unknown>;
}

@Controller('admin/tenants')
@UseGuards(OperatorAuthGuard)
@UseFilters(AdminExceptionFilter)
export class TenantsAdminController {
  constructor(@Inject(TENANTS_ADMIN_OPTIONS) private readonly opts: ResolvedAdminOptions) {}

  private get config() {
    return this.opts.config;
  }

  @Get()
  async list(@Req() req: AdminRequest) {
    const tenants = await this.config.listTenants();
    return { tenants: tenants.filter((t) => mayAccess(req.operator, t.id)) };
  }

  @Post()
  async create(@Req() req: AdminRequest, @Body() body: unknown) {
    const input = objectBody(body) as unknown as TenantInput;
    if (typeof input.id === 'string' && !mayAccess(req.operator, input.id)) throw new AppError('TENANTS.FORBIDDEN', 'this API key may not create that tenant');
    return this.config.createTenant(input, req.operator.actor);
  }

  @Get(':tenantId')
  show(@Param('tenantId') tenantId: string) {
    return this.config.getTenant(tenantId);
  }

  @Patch(':tenantId')
  update(@Req() req: AdminRequest, @Param('tenantId') tenantId: string, @Body() body: unknown) {
    const { expectedVersion: _v, ...patch } = objectBody(body);
    const unknown = Object.keys(patch).filter((k) => !['name', 'mode', 'settings'].includes(k));
    if (unknown.length)
      throw new TenantValidationError(
        unknown.map((field) => ({ field, reason: 'is not a known field (allowed: name, mode, settings, expectedVersion)' })),
        'tenant',
      );
    return this.config.updateTenant(tenantId, patch, req.operator.actor, versionOf(body));
  }

  @Delete(':tenantId')
  @HttpCode(204)
  async remove(@Req() req: AdminRequest, @Param('tenantId') tenantId: string) {
    if (req.operator.tenant !== '*') throw new AppError('TENANTS.FORBIDDEN', 'only an all-tenants key may delete a tenant');
    await this.config.deleteTenant(tenantId, req.operator.actor);
  }

  @Get(':tenantId/history')
  async history(@Param('tenantId') tenantId: string, @Query('limit') limit?: string) {
    await this.config.getTenant(tenantId);
    return { entries: await this.config.history(tenantId, { limit: limit ? Number(limit) || 100 : 100 }) };
  }

  // ---------- connections ----------

  @Get(':tenantId/connections')
  async connections(@Param('tenantId') tenantId: string) {
    return { connections: await this.config.listConnections(tenantId) };
  }

  @Put(':tenantId/connections/:partner')
  setConnection(@Req() req: AdminRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Body() body: unknown) {
    const p = partnerParam(partner);
    const { expectedVersion: _v, ...input } = objectBody(body);
    if (input['partner'] !== undefined && input['partner'] !== p)
      throw new TenantValidationError([{ field: 'partner', reason: 'must match the partner in the path' }], 'connection');
    return this.config.setConnection(tenantId, { ...input, partner: p } as ConnectionInput, req.operator.actor, versionOf(body));
  }

  /** Partial update: the body is merged onto the stored connection (null removes a field), then validated whole. */
  @Patch(':tenantId/connections/:partner')
  patchConnection(@Req() req: AdminRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Body() body: unknown) {
    const p = partnerParam(partner);
    const { expectedVersion: _v, partner: inBody, ...patch } = objectBody(body);
    if (inBody !== undefined && inBody !== p)
      throw new TenantValidationError([{ field: 'partner', reason: 'must match the partner in the path' }], 'connection');
    return this.config.patchConnection(tenantId, p, patch, req.operator.actor, versionOf(body));
  }

  @Delete(':tenantId/connections/:partner')
  @HttpCode(204)
  async deleteConnection(@Req() req: AdminRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string) {
    await this.config.deleteConnection(tenantId, partnerParam(partner), req.operator.actor);
  }

  @Post(':tenantId/connections/:partner/ping')
  @HttpCode(200)
  ping(@Param('tenantId') tenantId: string, @Param('partner') partner: string) {
    const p = partnerParam(partner);
    if (!this.opts.ping) return { reachable: false, authenticated: false, failedCheck: 'configuration', message: 'pinging is not configured on this server' };
    return this.opts.ping.pingConnection(tenantId, p);
  }

  // ---------- mappings ----------

  @Get(':tenantId/mappings/:kind')
  async mappings(@Param('tenantId') tenantId: string, @Param('kind') kind: string) {
    const k = validateMappingKind(kind);
    return { kind: k, entries: await this.config.listMappings(tenantId, k) };
  }

  @Get(':tenantId/mappings/:kind/export')
  async exportCsv(@Param('tenantId') tenantId: string, @Param('kind') kind: string, @Res() res: TextResponse) {
    const csv = await this.config.exportMappingsCsv(tenantId, validateMappingKind(kind));
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${tenantId}-${kind}.csv"`);
    res.status(200).send(csv);
  }

  @Post(':tenantId/mappings/:kind/import')
  @HttpCode(200)
  async importCsv(@Req() req: AdminRequest, @Param('tenantId') tenantId: string, @Param('kind') kind: string, @Query('replace') replace?: string) {
    const k = validateMappingKind(kind);
    const csv = await this.readCsv(req);
    return this.config.importMappingsCsv(tenantId, k, csv, req.operator.actor, { replace: replace === 'true' || replace === '1' });
  }

  @Put(':tenantId/mappings/:kind/:key')
  setMapping(@Req() req: AdminRequest, @Param('tenantId') tenantId: string, @Param('kind') kind: string, @Param('key') key: string, @Body() body: unknown) {
    const b = objectBody(body);
    const value = 'value' in b ? b['value'] : b;
    return this.config.setMapping(tenantId, validateMappingKind(kind), key, value, req.operator.actor, versionOf(body));
  }

  @Delete(':tenantId/mappings/:kind/:key')
  @HttpCode(204)
  async deleteMapping(@Req() req: AdminRequest, @Param('tenantId') tenantId: string, @Param('kind') kind: string, @Param('key') key: string) {
    await this.config.deleteMapping(tenantId, validateMappingKind(kind), key, req.operator.actor);
  }

  /** CSV comes as `text/csv` (read here, the JSON parser leaves it alone) or as JSON `{ "csv": "..." }`. */
  private async readCsv(req: AdminRequest): Promise<string> {
    if (typeof req.body === 'string') return req.body;
    const fromJson = (req.body as { csv?: unknown } | undefined)?.csv;
    if (typeof fromJson === 'string') return fromJson;
    const type = String(req.headers['content-type'] ?? '');
    if (!/^text\/(csv|plain)\b/i.test(type)) throw new AppError('TENANTS.UNSUPPORTED_MEDIA_TYPE', 'send the CSV as text/csv or as JSON {"csv": "..."}');
    if (req.readableEnded) throw new TenantValidationError([{ field: 'body', reason: 'is empty' }], 'CSV file');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > this.opts.maxCsvBytes) throw new AppError('TENANTS.PAYLOAD_TOO_LARGE', `CSV is larger than ${this.opts.maxCsvBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
