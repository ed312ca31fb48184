import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import type {
  BatchWrite,
  EntityTable,
  EntityWrite,
  PropertyValue,
  RowCondition,
  RowKeys,
  RowQuery,
  StoredRow,
} from './entity-table.port.js';
import { RowPreconditionFailed, partitionBatches } from './entity-table.port.js';
import { translateTableError } from './table-errors.js';
import type { TableCallContext } from './table-errors.js';

/** One Azure table through `@azure/data-tables`. The table is created on first use. */
export class AzureEntityTable implements EntityTable {
  private created: Promise<void> | undefined;

  constructor(
    private readonly client: TableClient,
    private readonly endpoint: string,
    private readonly requestTimeoutMs: number,
  ) {}

  get name(): string {
    return this.client.tableName;
  }

  async get(partitionKey: string, rowKey: string): Promise<StoredRow | undefined> {
    return this.call('read', async (abortSignal) => {
      try {
        return rowFrom(await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey, { abortSignal }));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  async create(entity: EntityWrite): Promise<string> {
    return this.call('insert', async (abortSignal) => {
      try {
        return etagOf(await this.client.createEntity(flatten(entity), { abortSignal }));
      } catch (error) {
        if (statusOf(error) === 409) throw new RowPreconditionFailed(this.name, entity, 'exists');
        throw error;
      }
    });
  }

  async replace(entity: EntityWrite, etag: string): Promise<string> {
    return this.call('conditional update', async (abortSignal) => {
      try {
        return etagOf(await this.client.updateEntity(flatten(entity), 'Replace', { etag, abortSignal }));
      } catch (error) {
        if (statusOf(error) === 412) throw new RowPreconditionFailed(this.name, entity, 'changed');
        if (statusOf(error) === 404) throw new RowPreconditionFailed(this.name, entity, 'missing');
        throw error;
      }
    });
  }

  async upsert(entity: EntityWrite): Promise<string> {
    return this.call('upsert', async (abortSignal) =>
      etagOf(await this.client.upsertEntity(flatten(entity), 'Replace', { abortSignal })),
    );
  }

  async delete(partitionKey: string, rowKey: string, etag?: string): Promise<boolean> {
    return this.call('delete', async (abortSignal) => {
      try {
        await this.client.deleteEntity(
          partitionKey,
          rowKey,
          etag === undefined ? { abortSignal } : { etag, abortSignal },
        );
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        if (statusOf(error) === 412) throw new RowPreconditionFailed(this.name, { partitionKey, rowKey }, 'changed');
        throw error;
      }
    });
  }

  /** Deletes in batch transactions of up to 100 rows of one partition; a batch with a vanished row goes row by row. */
  async deleteMany(keys: readonly RowKeys[]): Promise<number> {
    let deleted = 0;
    for (const batch of partitionBatches(keys, (key) => key.partitionKey)) {
      deleted += (await this.deleteBatch(batch)) ? batch.length : await this.deleteOneByOne(batch);
    }
    return deleted;
  }

  async writeBatch(writes: readonly BatchWrite[]): Promise<(string | undefined)[]> {
    const first = writes[0];
    if (first === undefined) return [];
    const actions = writes.map((write): TransactionAction => {
      if (write.kind === 'create') return ['create', flatten(write.entity)];
      if (write.kind === 'upsert') return ['upsert', flatten(write.entity), 'Replace'];
      if (write.kind === 'update') return ['update', flatten(write.entity), 'Replace'];
      return ['update', flatten(write.entity), 'Replace', { etag: write.etag }];
    });
    return this.call('batch write', async (abortSignal) => {
      try {
        const { subResponses } = await this.client.submitTransaction(actions, { abortSignal });
        // The parts answer in the order of the writes; an answer of another length is not trusted for ETags.
        return writes.map((_, index) =>
          subResponses.length === writes.length ? subResponses[index]?.etag : undefined,
        );
      } catch (error) {
        const reason = PRECONDITION_REASONS.get(statusOf(error) ?? 0);
        if (reason !== undefined) throw new RowPreconditionFailed(this.name, first.entity, reason);
        throw error;
      }
    });
  }

  async *query(query: RowQuery): AsyncIterable<StoredRow> {
    let continuationToken: string | undefined;
    do {
      const page = await this.call('query', (abortSignal) => this.queryPage(query, continuationToken, abortSignal));
      for (const entity of page.rows) yield rowFrom(entity);
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
  }

  /** One page per request, each with its own timeout, so a long scan is not cut off by one overall deadline. */
  private async queryPage(
    query: RowQuery,
    continuationToken: string | undefined,
    abortSignal: AbortSignal,
  ): Promise<QueryPage> {
    const select = query.select === undefined ? undefined : ['partitionKey', 'rowKey', ...query.select];
    const filter = filterFor(query);
    const queryOptions = { ...(filter === undefined ? {} : { filter }), ...(select === undefined ? {} : { select }) };
    const pages = this.client.listEntities<Record<string, unknown>>({ queryOptions, abortSignal }).byPage({
      maxPageSize: query.pageSize ?? MAX_PAGE_SIZE,
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    const first = await pages.next();
    if (first.done === true) return { rows: [], continuationToken: undefined };
    return { rows: first.value, continuationToken: first.value.continuationToken };
  }

  private async deleteBatch(batch: RowKeys[]): Promise<boolean> {
    const actions = batch.map((key): TransactionAction => [
      'delete',
      { partitionKey: key.partitionKey, rowKey: key.rowKey },
    ]);
    return this.call('batch delete', async (abortSignal) => {
      try {
        await this.client.submitTransaction(actions, { abortSignal });
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    });
  }

  private async deleteOneByOne(batch: RowKeys[]): Promise<number> {
    let deleted = 0;
    for (const key of batch) if (await this.delete(key.partitionKey, key.rowKey)) deleted += 1;
    return deleted;
  }

  private async call<T>(operation: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    await this.ensureCreated();
    try {
      return await run(AbortSignal.timeout(this.requestTimeoutMs));
    } catch (error) {
      throw translateTableError(error, this.context(operation));
    }
  }

  private ensureCreated(): Promise<void> {
    this.created ??= this.createTable().catch((error: unknown) => {
      this.created = undefined;
      throw translateTableError(error, this.context('create table'));
    });
    return this.created;
  }

  private async createTable(): Promise<void> {
    // The SDK treats "table already exists" as success.
    await this.client.createTable({ abortSignal: AbortSignal.timeout(this.requestTimeoutMs) });
  }

  private context(operation: string): TableCallContext {
    return { endpoint: this.endpoint, table: this.name, operation, requestTimeoutMs: this.requestTimeoutMs };
  }
}

const MAX_PAGE_SIZE = 1000;
/** What a failed batch's status says of its condition: an insert met a row, an ETag differed, a row was gone. */
const PRECONDITION_REASONS = new Map<number, 'exists' | 'changed' | 'missing'>([
  [409, 'exists'],
  [412, 'changed'],
  [404, 'missing'],
]);
/** Service-managed properties: not part of what the scaler stored. */
const SYSTEM_PROPERTIES = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp', 'odata.metadata']);

interface QueryPage {
  rows: TableEntityResult<Record<string, unknown>>[];
  continuationToken: string | undefined;
}

function rowFrom(entity: TableEntityResult<Record<string, unknown>>): StoredRow {
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (!SYSTEM_PROPERTIES.has(name)) properties[name] = value;
  }
  return { partitionKey: entity.partitionKey ?? '', rowKey: entity.rowKey ?? '', etag: entity.etag, properties };
}

function flatten(entity: EntityWrite): Record<string, PropertyValue> & RowKeys {
  return { ...entity.properties, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
}

function etagOf(response: { etag?: string }): string {
  return response.etag ?? '';
}

function statusOf(error: unknown): number | undefined {
  const status: unknown = error instanceof Error ? Reflect.get(error, 'statusCode') : undefined;
  return typeof status === 'number' ? status : undefined;
}

const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** OData filter text. Property names are the scaler's own constants; values are quoted and escaped here. */
export function filterFor(query: RowQuery): string | undefined {
  const clauses: string[] = [];
  if (query.partitionKey !== undefined) clauses.push(`PartitionKey eq ${literal(query.partitionKey)}`);
  if (query.rowKeyPrefix !== undefined) clauses.push(...rowKeyRange(query.rowKeyPrefix));
  for (const condition of query.where ?? []) clauses.push(clause(condition));
  return clauses.length === 0 ? undefined : clauses.join(' and ');
}

/** Keys compare as strings: the rows starting with `prefix` are those from it up to its last character's successor. */
function rowKeyRange(prefix: string): string[] {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (prefix.length === 0 || last === 0xffff)
    throw new Error(`Building a table filter failed: cannot range over RowKey prefix '${prefix}'`);
  const end = `${prefix.slice(0, -1)}${String.fromCharCode(last + 1)}`;
  return [`RowKey ge ${literal(prefix)}`, `RowKey lt ${literal(end)}`];
}

function clause(condition: RowCondition): string {
  if (!PROPERTY_NAME.test(condition.property))
    throw new Error(`Building a table filter failed: '${condition.property}' is not a plain property name`);
  return `${condition.property} ${condition.op} ${literal(condition.value)}`;
}

function literal(value: PropertyValue): string {
  if (value instanceof Date) return `datetime'${value.toISOString()}'`;
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return String(value);
}
