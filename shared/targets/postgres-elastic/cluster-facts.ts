/**
 * What the follow-up needs to know about an elastic cluster besides its size: where to connect (the coordinator's
 * fully qualified domain name and default database), how much storage each node has (disk headroom before a
 * rebalance), and whether zone-redundant high availability makes resizes slower.
 */
import type { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import type { ResourceId } from '../../vocabulary/resource-id.js';
import { armCall } from '../arm-errors.js';
import { POSTGRES_READ_ROLE } from './postgres-elastic-target.js';

export interface ClusterFacts {
  fullyQualifiedDomainName: string | undefined;
  defaultDatabaseName: string | undefined;
  /** Storage of each node in GiB (`storage.storageSizeGB`). */
  storageSizeGB: number | undefined;
  highAvailability: boolean;
}

export async function readClusterFacts(
  client: PostgreSQLManagementFlexibleServerClient,
  id: ResourceId,
  resourceId: string,
): Promise<ClusterFacts> {
  const server = await armCall({ action: 'reading', resourceId, role: POSTGRES_READ_ROLE }, () =>
    client.servers.get(id.resourceGroup, id.name),
  );
  const mode = server.highAvailability?.mode;
  return {
    fullyQualifiedDomainName: server.fullyQualifiedDomainName,
    defaultDatabaseName: server.cluster?.defaultDatabaseName,
    storageSizeGB: server.storage?.storageSizeGB,
    highAvailability: mode !== undefined && mode !== 'Disabled',
  };
}
