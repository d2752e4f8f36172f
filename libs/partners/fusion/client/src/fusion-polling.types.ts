/** Records oracle-poller reads besides purchase orders (supplier and ship-to look-ups, receivables by LastUpdateDate). */

export interface FusionSupplierSite {
  SupplierSiteId: string;
  SupplierSite: string;
  ProcurementBU?: string;
  [field: string]: unknown;
}

export interface FusionSupplier {
  SupplierId: string;
  Supplier: string;
  SupplierNumber?: string;
  LastUpdateDate?: string;
  sites: FusionSupplierSite[];
  [field: string]: unknown;
}

/**
 * A ship-to location from `b2bShipToLocationsLOV/{LocationId}`. The address attribute names follow the
 * PO_LOCATIONS view (ADDRESS_LINE_1, TOWN_OR_CITY, REGION_2, POSTAL_CODE, COUNTRY); the reference marks them UNCONFIRMED.
 */
export interface FusionShipToLocation {
  LocationId: string;
  LocationCode: string;
  OrganizationCode?: string;
  Description?: string;
  /** One-line address, as the LOV shows it. */
  Address?: string;
  AddressLine1?: string;
  AddressLine2?: string;
  TownOrCity?: string;
  /** State / province code. */
  Region2?: string;
  PostalCode?: string;
  /** ISO 3166-1 alpha-2. */
  Country?: string;
  [field: string]: unknown;
}

/** `receivablesCustomerAccountActivities`: a customer account as Receivables sees it. */
export interface FusionCustomerAccountActivity {
  AccountId: string;
  AccountNumber: string;
  CustomerName?: string;
  PartyId?: string;
  LastUpdateDate: string;
  [field: string]: unknown;
}
