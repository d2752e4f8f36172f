import { Controller, Get, Param, Req, UseFilters, UseGuards } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';
import { OperatorAuthGuard, TenantNotFoundError } from '@mlc/tenants';
import { notFound, OpsExceptionFilter } from '../ops/ops.errors';
import { assertTenant, type OpsRequest } from '../ops/ops-scope';
import { DoctorService } from './doctor.service';
import type { DoctorReport } from './doctor.types';

/** `GET /admin/tenants/:tenantId/doctor` → `{ tenantId, ok, checkedAt, findings }` (operator key for that tenant). */
@Controller('admin/tenants')
@UseGuards(OperatorAuthGuard)
@UseFilters(OpsExceptionFilter)
export class DoctorController {
  constructor(private readonly doctor: DoctorService) {}

  @Get(':tenantId/doctor')
  async run(@Req() req: OpsRequest, @Param('tenantId') tenantId: string): Promise<DoctorReport> {
    assertTenant(req.operator, tenantId);
    try {
      return await this.doctor.run(tenantId);
    } catch (err) {
      if (err instanceof TenantNotFoundError || (err instanceof AppError && err.code === 'TENANTS.NOT_FOUND')) throw notFound(`tenant ${tenantId} not found`);
      throw err;
    }
  }
}
