/**
 * Azure region names. ARM resource bodies carry either form: the PostgreSQL RP answers with the display name
 * ("Canada Central", see recorded-azure-cli/), monitor URLs and `resourceregion` use the canonical name.
 */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  eastus: 'East US',
  eastus2: 'East US 2',
  westus: 'West US',
  westus2: 'West US 2',
  westus3: 'West US 3',
  centralus: 'Central US',
  northcentralus: 'North Central US',
  southcentralus: 'South Central US',
  westcentralus: 'West Central US',
  canadacentral: 'Canada Central',
  canadaeast: 'Canada East',
  brazilsouth: 'Brazil South',
  northeurope: 'North Europe',
  westeurope: 'West Europe',
  uksouth: 'UK South',
  ukwest: 'UK West',
  francecentral: 'France Central',
  germanywestcentral: 'Germany West Central',
  swedencentral: 'Sweden Central',
  switzerlandnorth: 'Switzerland North',
  norwayeast: 'Norway East',
  australiaeast: 'Australia East',
  southeastasia: 'Southeast Asia',
  eastasia: 'East Asia',
  japaneast: 'Japan East',
  koreacentral: 'Korea Central',
  centralindia: 'Central India',
  southafricanorth: 'South Africa North',
  uaenorth: 'UAE North',
};

/** "Canada Central" and "canadacentral" both become "canadacentral". */
export function canonicalRegion(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

export function displayRegion(location: string): string {
  return DISPLAY_NAMES[canonicalRegion(location)] ?? location;
}
