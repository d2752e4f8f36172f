import { seededRandom } from '@mlc/partners-sandbox-kit';
import { FusionFault } from './fusion-fault';

/** Fusion's timestamp format: `2023-07-28T06:53:05.035+00:00`. */
export function fusionTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

export function fusionDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** An opaque key in the serialized-Java hash form Fusion uses (`00020000000EACED0005…`); never built by clients. */
function opaqueKey(kind: number, id: number): string {
  return `00020000000EACED0005770${kind}0000000${id.toString(16).toUpperCase().padStart(16, '0')}`;
}

export const PO_STATUSES = ['Open', 'On Hold', 'Closed for Receiving', 'Closed for Invoicing', 'Closed', 'Finally Closed', 'Canceled'] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

export const CLOSE_ACTIONS: Record<string, PoStatus> = {
  closeForReceiving: 'Closed for Receiving',
  closeForInvoicing: 'Closed for Invoicing',
  close: 'Closed',
  finallyClose: 'Finally Closed',
};

/**
 * The reopen action (25D): which status each `reopenAction` leaves and where it goes. The REST body names are
 * UNCONFIRMED (reference §purchaseOrders writes); `reopenAction`/`reopenReason` mirror close's `closeAction`/`closeReason`.
 */
export const REOPEN_ACTIONS: Record<string, { from: PoStatus[]; to: PoStatus }> = {
  reopenForReceiving: { from: ['Closed for Receiving', 'Closed'], to: 'Open' },
  reopenForInvoicing: { from: ['Closed for Invoicing', 'Closed'], to: 'Open' },
  reopen: { from: ['Closed', 'Closed for Receiving', 'Closed for Invoicing'], to: 'Open' },
  reopenFinallyClosed: { from: ['Finally Closed'], to: 'Open' },
};

export interface PoSchedule {
  uniqId: string;
  LineLocationId: number;
  ScheduleNumber: number;
  Quantity: number;
  QuantityReceived: number;
  QuantityShipped: number;
  ShipToLocationId: number;
  ShipToLocationCode: string;
  ShipToOrganizationCode: string;
  RequestedDeliveryDate: string;
  Status: PoStatus;
}

export interface PoLine {
  POLineId: number;
  LineNumber: number;
  Item: string;
  ItemId: number;
  Description: string;
  UOM: string;
  Price: number;
  Status: PoStatus;
  schedules: PoSchedule[];
}

export interface PurchaseOrder {
  uniqId: string;
  POHeaderId: number;
  OrderNumber: string;
  Supplier: string;
  SupplierId: number;
  SupplierSite: string;
  SupplierSiteId: number;
  Status: PoStatus;
  CurrencyCode: string;
  Currency: string;
  ProcurementBU: string;
  BillToBU: string;
  Buyer: string;
  ShipToLocationId: number;
  ShipToLocationCode: string;
  /** Oracle's one-line ship-to address (see shipToLocationAddress). */
  ShipToLocationAddress: string;
  Description: string;
  CreationDate: string;
  LastUpdateDate: string;
  lines: PoLine[];
  dff: Record<string, unknown>;
  /** Header note to the receiver (draftPurchaseOrders PATCH). */
  NoteToReceiver?: string;
  changeCount: number;
}

export interface Supplier {
  SupplierId: number;
  Supplier: string;
  SupplierNumber: string;
  sites: { SupplierSiteId: number; SupplierSite: string; ProcurementBU: string }[];
  LastUpdateDate: string;
}

export interface ShipToLocation {
  LocationId: number;
  LocationCode: string;
  OrganizationCode: string;
  Address: string;
  /** Structured address (PO_LOCATIONS names: ADDRESS_LINE_1, TOWN_OR_CITY, REGION_2, POSTAL_CODE, COUNTRY). */
  AddressLine1?: string;
  AddressLine2?: string;
  TownOrCity?: string;
  Region2?: string;
  PostalCode?: string;
  Country?: string;
  County?: string;
}

let regionNames: Intl.DisplayNames | undefined;
/**
 * The ship-to address as Fusion writes it on the PO header (`ShipToLocationAddress`): one comma-separated string,
 * address lines, city, `STATE ZIP`, county and the territory's name last, e.g.
 * `5900 W Ogden Ave, Cicero, IL 60804, Cook, United States` (the shape issue 14 reports from a real pod). A location
 * seeded with only a one-line `Address` shows that text as it is.
 */
export function shipToLocationAddress(loc: ShipToLocation): string {
  if (!loc.AddressLine1) return loc.Address;
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  const country = loc.Country && /^[A-Z]{2}$/.test(loc.Country) ? regionNames.of(loc.Country) : loc.Country;
  return [loc.AddressLine1, loc.AddressLine2, loc.TownOrCity, [loc.Region2, loc.PostalCode].filter(Boolean).join(' '), loc.County, country]
    .filter((p) => p && p.trim())
    .join(', ');
}

/** Structured addresses for the default demo warehouses; other codes get a generic US dock address. */
const DEMO_ADDRESSES: Record<string, Pick<ShipToLocation, 'AddressLine1' | 'TownOrCity' | 'Region2' | 'PostalCode' | 'Country'>> = {
  'WH-RENO': { AddressLine1: '1 Dock Road', TownOrCity: 'Reno', Region2: 'NV', PostalCode: '89502', Country: 'US' },
  'WH-DALLAS': { AddressLine1: '1 Dock Road', TownOrCity: 'Dallas', Region2: 'TX', PostalCode: '75201', Country: 'US' },
};

const ADDRESS_KEYS = new Set(['AddressLine1', 'AddressLine2', 'TownOrCity', 'Region2', 'PostalCode', 'Country', 'County']);

function structuredAddress(code: string): Pick<ShipToLocation, 'AddressLine1' | 'TownOrCity' | 'Region2' | 'PostalCode' | 'Country'> {
  return DEMO_ADDRESSES[code] ?? { AddressLine1: '1 Dock Road', TownOrCity: code.replace(/^WH-/, ''), Region2: 'CA', PostalCode: '94105', Country: 'US' };
}

/** Interface processing status of a receipt request and its lines (fusion-schemas.ts RECEIPT_PROCESSING). */
export type ReceiptProcessingStatus = 'PENDING' | 'RUNNING' | 'ERROR' | 'SUCCESS' | 'COMPLETED';

/** One error the receiving processor recorded for a line (the line's `processingErrors` child). */
export interface ReceiptProcessingError {
  InterfaceErrorId: number;
  ErrorMessage: string;
  ErrorMessageName: string;
  ColumnName: string | null;
  TableName: string;
}

export interface ReceiptLine {
  InterfaceTransactionId: number;
  /** The attributes the line was posted with. */
  fields: Record<string, unknown>;
  ProcessingStatusCode: ReceiptProcessingStatus;
  TransactionStatusCode: ReceiptProcessingStatus;
  processingErrors: ReceiptProcessingError[];
}

export interface ReceiptRequest {
  HeaderInterfaceId: number;
  fields: Record<string, unknown>;
  lines: ReceiptLine[];
  ProcessingStatusCode: ReceiptProcessingStatus;
  /** Sandbox clock time at which the receiving processor picks the request up. */
  processAt: number;
  CreationDate: string;
  LastUpdateDate: string;
}

export interface SeedRequest {
  count: number;
  suppliers?: (string | { Supplier: string; SupplierNumber?: string; SupplierSite?: string })[];
  /** A location by its code, or with its other attributes (the id is assigned). */
  locations?: (string | (Pick<ShipToLocation, 'LocationCode'> & Partial<Omit<ShipToLocation, 'LocationId' | 'LocationCode'>>))[];
  items?: (string | { Item: string; Description?: string; UOM?: string; Price?: number })[];
  linesPerPo?: number;
  seed?: number;
  /** How far apart the seeded POs' LastUpdateDates lie in the past (default 60 000 ms: a minute each). */
  historySpacingMs?: number;
}

/** The purchasing side of the simulated pod: POs, suppliers, ship-to locations and receiving requests. */
export class FusionProcurementStore {
  readonly pos: PurchaseOrder[] = [];
  readonly suppliers: Supplier[] = [];
  readonly locations: ShipToLocation[] = [];
  readonly receiptRequests: ReceiptRequest[] = [];
  private nextId: number;
  private nextOrderNumber: number;
  private lastStamp = 0;

  /**
   * `run` shifts ids and PO numbers so that a restarted standalone sandbox (a fresh in-memory pod) never reuses the ids
   * of the previous run, whose purchase orders the connector's database still remembers.
   */
  constructor(
    private readonly now: () => number,
    run = 0,
  ) {
    this.nextId = 300100000000001 + run * 1_000_000;
    this.nextOrderNumber = 1001 + run * 1_000;
  }

  id(): number {
    return this.nextId++;
  }

  /** A timestamp that strictly increases across changes, so every change moves LastUpdateDate. */
  stamp(): string {
    this.lastStamp = Math.max(this.now(), this.lastStamp + 1);
    return fusionTimestamp(this.lastStamp);
  }

  findPo(key: string): PurchaseOrder {
    const po = this.pos.find((p) => p.uniqId === key || String(p.POHeaderId) === key);
    if (!po) throw new FusionFault(404, `The requested resource purchaseOrders/${key} was not found`);
    return po;
  }

  findLine(po: PurchaseOrder, lineId: string): PoLine {
    const line = po.lines.find((l) => String(l.POLineId) === lineId);
    if (!line) throw new FusionFault(404, `The requested resource lines/${lineId} was not found`);
    return line;
  }

  lineByNumber(po: PurchaseOrder, lineNumber: number): PoLine {
    const line = po.lines.find((l) => l.LineNumber === lineNumber);
    if (!line) throw new FusionFault(404, `Line ${lineNumber} of purchase order ${po.OrderNumber} was not found`);
    return line;
  }

  touch(po: PurchaseOrder): void {
    po.LastUpdateDate = this.stamp();
    po.changeCount += 1;
  }

  private supplier(spec: NonNullable<SeedRequest['suppliers']>[number]): Supplier {
    const s = typeof spec === 'string' ? { Supplier: spec } : spec;
    let found = this.suppliers.find((x) => x.Supplier === s.Supplier);
    if (!found) {
      const n = this.suppliers.length + 1;
      found = {
        SupplierId: this.id(),
        Supplier: s.Supplier,
        SupplierNumber: s.SupplierNumber ?? `SUP-${1000 + n}`,
        sites: [{ SupplierSiteId: this.id(), SupplierSite: s.SupplierSite ?? 'MAIN', ProcurementBU: 'Vision Operations' }],
        LastUpdateDate: fusionTimestamp(this.now()),
      };
      this.suppliers.push(found);
    }
    return found;
  }

  private location(spec: NonNullable<SeedRequest['locations']>[number]): ShipToLocation {
    const l = typeof spec === 'string' ? { LocationCode: spec } : spec;
    let found = this.locations.find((x) => x.LocationCode === l.LocationCode);
    if (!found) {
      found = {
        LocationId: this.id(),
        LocationCode: l.LocationCode,
        OrganizationCode: l.OrganizationCode ?? l.LocationCode.slice(0, 3).toUpperCase(),
        Address: l.Address ?? `${l.LocationCode}, 1 Dock Road`,
        // A location given only as Oracle's one-line text keeps it that way (no invented structured fields).
        ...(l.Address && !Object.keys(l).some((k) => ADDRESS_KEYS.has(k)) ? {} : structuredAddress(l.LocationCode)),
        ...Object.fromEntries(Object.entries(l).filter(([k, v]) => ADDRESS_KEYS.has(k) && v !== undefined)),
      };
      this.locations.push(found);
    }
    return found;
  }

  /** Creates `count` open POs, deterministic for a given seed (ids, numbers, items, quantities and prices). */
  seed(req: SeedRequest, defaultSeed: number): PurchaseOrder[] {
    if (!Number.isInteger(req.count) || req.count < 0 || req.count > 10_000) {
      throw new FusionFault(400, 'seed.count must be an integer between 0 and 10000');
    }
    const rnd = seededRandom(req.seed ?? defaultSeed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const suppliers = (req.suppliers?.length ? req.suppliers : ['Acme Components', 'Globex Textiles']).map((s) => this.supplier(s));
    const locations = (req.locations?.length ? req.locations : ['WH-RENO', 'WH-DALLAS']).map((l) => this.location(l));
    const items = (req.items?.length ? req.items : ['SKU-TSHIRT-M', 'SKU-HOODIE-L', 'SKU-CAP']).map((i) => (typeof i === 'string' ? { Item: i } : i));
    const spacing = req.historySpacingMs ?? 60_000;
    const base = this.now() - req.count * spacing;
    const created: PurchaseOrder[] = [];
    for (let i = 0; i < req.count; i++) {
      const sup = pick(suppliers);
      const loc = pick(locations);
      const id = this.id();
      // Seeded history is spread `spacing` apart in the past (a minute by default); later changes still stamp after it.
      const stamp = fusionTimestamp(base + i * spacing);
      this.lastStamp = Math.max(this.lastStamp, base + i * spacing);
      const po: PurchaseOrder = {
        uniqId: opaqueKey(1, id),
        POHeaderId: id,
        OrderNumber: String(this.nextOrderNumber++),
        Supplier: sup.Supplier,
        SupplierId: sup.SupplierId,
        SupplierSite: sup.sites[0]!.SupplierSite,
        SupplierSiteId: sup.sites[0]!.SupplierSiteId,
        Status: 'Open',
        CurrencyCode: 'USD',
        Currency: 'US Dollar',
        ProcurementBU: 'Vision Operations',
        BillToBU: 'Vision Operations',
        Buyer: 'Smith, Pat',
        ShipToLocationId: loc.LocationId,
        ShipToLocationCode: loc.LocationCode,
        ShipToLocationAddress: shipToLocationAddress(loc),
        Description: `Replenishment for ${loc.LocationCode}`,
        CreationDate: stamp,
        LastUpdateDate: stamp,
        lines: [],
        dff: {},
        changeCount: 0,
      };
      const lineCount = 1 + Math.floor(rnd() * Math.max(1, req.linesPerPo ?? 3));
      for (let n = 0; n < lineCount; n++) {
        const item = pick(items);
        this.addLineTo(po, loc, {
          Item: item.Item,
          Description: item.Description,
          UOM: item.UOM,
          Price: item.Price ?? Math.round(200 + rnd() * 4800) / 100,
          Quantity: 1 + Math.floor(rnd() * 50),
        });
      }
      this.pos.push(po);
      created.push(po);
    }
    return created;
  }

  private addLineTo(po: PurchaseOrder, loc: ShipToLocation, l: { Item: string; Description?: string; UOM?: string; Price?: number; Quantity: number }): PoLine {
    const line: PoLine = {
      POLineId: this.id(),
      LineNumber: po.lines.reduce((m, x) => Math.max(m, x.LineNumber), 0) + 1,
      Item: l.Item,
      ItemId: 100000000 + [...l.Item].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 9_000_000, 7),
      Description: l.Description ?? `Item ${l.Item}`,
      UOM: l.UOM ?? 'Each',
      Price: l.Price ?? 10,
      Status: 'Open',
      schedules: [],
    };
    const schedId = this.id();
    line.schedules.push({
      uniqId: opaqueKey(3, schedId),
      LineLocationId: schedId,
      ScheduleNumber: 1,
      Quantity: l.Quantity,
      QuantityReceived: 0,
      QuantityShipped: 0,
      ShipToLocationId: loc.LocationId,
      ShipToLocationCode: loc.LocationCode,
      ShipToOrganizationCode: loc.OrganizationCode,
      RequestedDeliveryDate: fusionDate(this.now() + 14 * 86_400_000),
      Status: 'Open',
    });
    po.lines.push(line);
    return line;
  }

  /** Admin change: a new line on an existing PO. */
  addLine(poKey: string, l: { Item: string; Quantity: number; Price?: number; Description?: string; UOM?: string }): PoLine {
    const po = this.findPo(poKey);
    if (!l.Item || !(l.Quantity > 0)) throw new FusionFault(400, 'Item and a positive Quantity are required');
    const loc = this.locations.find((x) => x.LocationId === po.ShipToLocationId)!;
    const line = this.addLineTo(po, loc, l);
    this.touch(po);
    return line;
  }

  /** Admin change: a new ordered quantity on a schedule (schedule 1 unless given). */
  changeQuantity(poKey: string, lineNumber: number, quantity: number, scheduleNumber = 1): PoSchedule {
    const po = this.findPo(poKey);
    const line = this.lineByNumber(po, lineNumber);
    const sched = line.schedules.find((s) => s.ScheduleNumber === scheduleNumber);
    if (!sched) throw new FusionFault(404, `Schedule ${scheduleNumber} of line ${lineNumber} was not found`);
    if (!(quantity >= 0)) throw new FusionFault(400, 'quantity must be >= 0');
    sched.Quantity = quantity;
    this.touch(po);
    return sched;
  }

  /** Sets a line (and its schedules) to a status, then rolls the header up: all lines alike = header alike. */
  setLineStatus(po: PurchaseOrder, line: PoLine, status: PoStatus): void {
    line.Status = status;
    for (const s of line.schedules) s.Status = status;
    const live = po.lines.filter((l) => l.Status !== 'Canceled');
    if (!live.length) po.Status = 'Canceled';
    else if (live.every((l) => l.Status === live[0]!.Status)) po.Status = live[0]!.Status;
    this.touch(po);
  }

  /** Header-level status change rolling down to every line that is not canceled. */
  setPoStatus(po: PurchaseOrder, status: PoStatus): void {
    for (const l of po.lines) {
      if (l.Status === 'Canceled') continue;
      l.Status = status;
      for (const s of l.schedules) s.Status = status;
    }
    po.Status = status;
    this.touch(po);
  }

  cancel(poKey: string, lineNumber?: number): PurchaseOrder {
    const po = this.findPo(poKey);
    if (lineNumber === undefined) this.setPoStatus(po, 'Canceled');
    else this.setLineStatus(po, this.lineByNumber(po, lineNumber), 'Canceled');
    return po;
  }
}
