/**
 * How the follow-up reaches an elastic cluster: SQL to the coordinator with a Microsoft Entra token (scope of
 * Azure Database for PostgreSQL) by default, or a password from an app setting when `database.passwordSetting`
 * says so; the ARM server parameters for the settings Azure does not let ALTER SYSTEM change.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { CitusTarget } from '../kinds/registry.js';
import { parseResourceId } from '../vocabulary/resource-id.js';
import { ProviderError, ScalerError } from '../vocabulary/errors.js';
import { CitusClient, type CitusConnectionSettings } from '../citus/citus-client.js';
import type { ExecutorSettingsStore } from '../citus/executor-settings.port.js';
import type { ArmClients } from '../targets/azure-clients.js';
import { readClusterFacts, type ClusterFacts } from '../targets/postgres-elastic/cluster-facts.js';
import { ArmExecutorSettings, ServerParameters } from '../targets/postgres-elastic/server-parameters.js';

/** Microsoft Entra ID token scope for Azure Database for PostgreSQL. */
export const POSTGRES_ENTRA_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

export interface ClusterAccess {
  facts(target: CitusTarget): Promise<ClusterFacts>;
  /** A new connection to the coordinator (refused if it is not the coordinator); the caller closes it. */
  sql(target: CitusTarget): Promise<CitusClient>;
  parameters(target: CitusTarget): ServerParameters;
  executorSettings(target: CitusTarget): ExecutorSettingsStore;
}

export interface AzureClusterAccessOptions {
  arm: ArmClients;
  credential: TokenCredential;
  /** App settings, to look up `database.passwordSetting`. */
  env: Readonly<Record<string, string | undefined>>;
  scope?: string;
}

export class AzureClusterAccess implements ClusterAccess {
  constructor(private readonly options: AzureClusterAccessOptions) {}

  facts(target: CitusTarget): Promise<ClusterFacts> {
    return readClusterFacts(this.options.arm.postgres(idOf(target).subscriptionId), idOf(target), target.resourceId);
  }

  async sql(target: CitusTarget): Promise<CitusClient> {
    const client = await CitusClient.connect(await this.connectionSettings(target));
    try {
      await client.assertCoordinator();
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  parameters(target: CitusTarget): ServerParameters {
    const id = idOf(target);
    return new ServerParameters(
      this.options.arm.postgres(id.subscriptionId),
      id,
      target.resourceId,
      this.options.arm.lroPollIntervalMs,
    );
  }

  executorSettings(target: CitusTarget): ExecutorSettingsStore {
    return new ArmExecutorSettings(this.parameters(target));
  }

  /** Where and as whom to connect; the ARM read happens only for what the config leaves out. */
  async connectionSettings(target: CitusTarget): Promise<CitusConnectionSettings> {
    const { database } = target;
    if (!database.user) {
      throw new ScalerError(
        'configuration',
        `targets[${target.name}].database.user: not set, so the follow-up cannot log in to rebalance; set it to the PostgreSQL role of the scaler's managed identity (its name, as added with pgaadauth_create_principal)`,
      );
    }
    const facts = database.host && database.name ? undefined : await this.facts(target);
    const host = database.host ?? facts?.fullyQualifiedDomainName;
    if (!host)
      throw new ProviderError(
        `${target.resourceId}: ARM shows no fullyQualifiedDomainName (private access only?); set targets[${target.name}].database.host`,
      );
    return {
      host,
      port: database.port,
      database: database.name ?? facts?.defaultDatabaseName ?? 'postgres',
      user: database.user,
      password: this.passwordFor(target),
      ssl: database.ssl,
    };
  }

  private passwordFor(target: CitusTarget): CitusConnectionSettings['password'] {
    const setting = target.database.passwordSetting;
    if (setting) {
      const password = this.options.env[setting];
      if (!password)
        throw new ScalerError(
          'configuration',
          `targets[${target.name}].database.passwordSetting: the app setting ${setting} is not set; set it (a Key Vault reference is best) or remove passwordSetting to log in with Microsoft Entra ID`,
        );
      return password;
    }
    const scope = this.options.scope ?? POSTGRES_ENTRA_SCOPE;
    return async () => {
      const token = await this.options.credential.getToken(scope);
      if (!token)
        throw new ProviderError(
          `getting a Microsoft Entra token for ${scope} returned nothing; check the managed identity (AZURE_CLIENT_ID)`,
        );
      return token.token;
    };
  }
}

function idOf(target: CitusTarget) {
  const id = parseResourceId(target.resourceId);
  if (!id)
    throw new ScalerError('configuration', `${target.name}: resourceId ${target.resourceId} is not an ARM resource id`);
  return id;
}
