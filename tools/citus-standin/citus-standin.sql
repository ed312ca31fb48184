-- =====================================================================================================================
-- Citus stand-in: the parts of Citus that elastic-scaler uses, emulated on ONE plain PostgreSQL database (no C
-- extension). Product SQL must run unchanged here and on a real Citus cluster, so names, argument names, column
-- names and types, states, messages and SQLSTATEs follow the Citus rebalancer reference ("the reference", summarised
-- in docs/citus-rebalance.md), and,
-- where the reference is silent, the Citus sources (src/backend/distributed/...; cited per object). Anything that is
-- only approximated says so in a comment starting with "APPROXIMATION".
--
-- Layout (as in Citus): catalog tables, views, types and functions live in pg_catalog, the shard transfer mode type
-- in schema citus. Tables cannot be created in pg_catalog directly, so, like Citus's own install script, they are
-- created in schema citus and moved with SET SCHEMA. Test-only control functions and simulation state live in schema
-- citus_standin: product SQL must never use it.
--
-- Time: shard moves progress in simulated time. citus_standin.settings.clock is the instant up to which the
-- simulation has run. In 'manual' mode only citus_standin.advance(seconds) (and citus_rebalance_wait /
-- citus_standin.run_until_terminal, which let time pass) move it. In 'wall-clock' mode every stand-in function that
-- reads or changes rebalance state first runs the simulation up to clock_timestamp() (citus_standin.catch_up()).
-- APPROXIMATION: a plain SELECT on pg_dist_background_job/_task or citus_shards does not advance the wall clock; it
-- sees the state as of the last stand-in function call (citus_rebalance_status() is what the product polls).
--
-- APPROXIMATION: errors are raised from PL/pgSQL, so they carry a CONTEXT line that Citus's C functions do not;
-- SQLSTATE, message, DETAIL and HINT are Citus's.
-- Not emulated: citus.desired_percent_disk_available_after_move (no disk model), citus.background_task_queue_interval,
-- connection limits (citus.max_client_connections and citus.max_shared_pool_size are only settings to read and set),
-- rebalance_table_shards() itself (only the lock it holds, see citus_standin.hold_rebalance_lock), replication factor
-- above 1, schema-based sharding, single-shard tables.
-- =====================================================================================================================

CREATE SCHEMA citus;
CREATE SCHEMA citus_standin;
COMMENT ON SCHEMA citus_standin IS 'test-only control API and state of the Citus stand-in; product SQL never uses it';

-- ---------------------------------------------------------------------------------------------------------------------
-- Types. Reference "States"; citus--8.0-1.sql (noderole, citus.shard_transfer_mode), citus--11.0-4--11.1-1.sql.
-- ---------------------------------------------------------------------------------------------------------------------
CREATE TYPE citus.shard_transfer_mode AS ENUM ('auto', 'force_logical', 'block_writes');
CREATE TYPE citus.noderole AS ENUM ('primary', 'secondary', 'unavailable');
CREATE TYPE citus.citus_job_status AS ENUM ('scheduled', 'running', 'finished', 'cancelling', 'cancelled', 'failing', 'failed');
CREATE TYPE citus.citus_task_status AS ENUM ('blocked', 'runnable', 'running', 'done', 'cancelling', 'error', 'unscheduled', 'cancelled');
ALTER TYPE citus.noderole SET SCHEMA pg_catalog;
ALTER TYPE citus.citus_job_status SET SCHEMA pg_catalog;
ALTER TYPE citus.citus_task_status SET SCHEMA pg_catalog;

-- ---------------------------------------------------------------------------------------------------------------------
-- Nodes. Reference "Nodes": pg_dist_node (nodeid, groupid, nodename, nodeport, noderack, hasmetadata, isactive,
-- noderole, nodecluster, metadatasynced, shouldhaveshards). The coordinator has groupid 0 (Citus convention).
-- APPROXIMATION: Citus 13.1+ also has nodeisclone / nodeprimarynodeid; the reference lists the 11 columns above.
-- ---------------------------------------------------------------------------------------------------------------------
CREATE SEQUENCE citus.pg_dist_node_nodeid_seq;
CREATE SEQUENCE citus.pg_dist_groupid_seq;
CREATE TABLE citus.pg_dist_node (
  nodeid int NOT NULL DEFAULT nextval('citus.pg_dist_node_nodeid_seq') PRIMARY KEY,
  groupid int NOT NULL DEFAULT nextval('citus.pg_dist_groupid_seq'),
  nodename text NOT NULL,
  nodeport int NOT NULL DEFAULT 5432,
  noderack text NOT NULL DEFAULT 'default',
  hasmetadata bool NOT NULL DEFAULT false,
  isactive bool NOT NULL DEFAULT true,
  noderole noderole NOT NULL DEFAULT 'primary',
  nodecluster name NOT NULL DEFAULT 'default',
  metadatasynced bool DEFAULT false,
  shouldhaveshards bool NOT NULL DEFAULT true,
  UNIQUE (nodename, nodeport)
);
ALTER SEQUENCE citus.pg_dist_node_nodeid_seq SET SCHEMA pg_catalog;
ALTER SEQUENCE citus.pg_dist_groupid_seq SET SCHEMA pg_catalog;
ALTER TABLE citus.pg_dist_node SET SCHEMA pg_catalog;

-- ---------------------------------------------------------------------------------------------------------------------
-- Distributed tables, shards, placements (Citus metadata catalogs, columns as in Citus 13).
-- partmethod 'h' = hash-distributed, 'n' + repmodel 't' = reference table. Shard sizes are NOT stored in
-- pg_dist_placement.shardlength (reference: it is 0 for hash-distributed tables); citus_shard_sizes() reads them from
-- citus_standin.shard_size, standing in for the workers' pg_total_relation_size.
-- APPROXIMATION: partkey holds the column name, not a serialized Var node.
-- ---------------------------------------------------------------------------------------------------------------------
CREATE TABLE citus.pg_dist_partition (
  logicalrelid regclass NOT NULL PRIMARY KEY,
  partmethod "char" NOT NULL,
  partkey text,
  colocationid int NOT NULL DEFAULT 0,
  repmodel "char" NOT NULL DEFAULT 's',
  autoconverted boolean DEFAULT false
);
CREATE SEQUENCE citus.pg_dist_shardid_seq START 102008;
CREATE TABLE citus.pg_dist_shard (
  logicalrelid regclass NOT NULL,
  shardid bigint NOT NULL PRIMARY KEY,
  shardstorage "char" NOT NULL DEFAULT 't',
  shardminvalue text,
  shardmaxvalue text
);
CREATE SEQUENCE citus.pg_dist_placement_placementid_seq;
CREATE TABLE citus.pg_dist_placement (
  placementid bigint NOT NULL DEFAULT nextval('citus.pg_dist_placement_placementid_seq') PRIMARY KEY,
  shardid bigint NOT NULL,
  shardstate int NOT NULL DEFAULT 1,
  shardlength bigint NOT NULL DEFAULT 0,
  groupid int NOT NULL
);
ALTER TABLE citus.pg_dist_partition SET SCHEMA pg_catalog;
ALTER SEQUENCE citus.pg_dist_shardid_seq SET SCHEMA pg_catalog;
ALTER TABLE citus.pg_dist_shard SET SCHEMA pg_catalog;
ALTER SEQUENCE citus.pg_dist_placement_placementid_seq SET SCHEMA pg_catalog;
ALTER TABLE citus.pg_dist_placement SET SCHEMA pg_catalog;

-- ---------------------------------------------------------------------------------------------------------------------
-- Background jobs and tasks. Reference "Jobs in general"; definitions from citus--11.0-4--11.1-1.sql and
-- citus--11.2-2--11.3-1.sql (nodes_involved).
-- ---------------------------------------------------------------------------------------------------------------------
CREATE TABLE citus.pg_dist_background_job (
  job_id bigserial NOT NULL,
  state citus_job_status DEFAULT 'scheduled' NOT NULL,
  job_type name NOT NULL,
  description text NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  CONSTRAINT pg_dist_background_job_pkey PRIMARY KEY (job_id)
);
CREATE TABLE citus.pg_dist_background_task (
  job_id bigint NOT NULL REFERENCES citus.pg_dist_background_job (job_id),
  task_id bigserial NOT NULL,
  owner regrole NOT NULL DEFAULT CURRENT_USER::regrole,
  pid integer,
  status citus_task_status DEFAULT 'runnable' NOT NULL,
  command text NOT NULL,
  retry_count integer,
  not_before timestamptz,
  message text NOT NULL DEFAULT '',
  nodes_involved int[] DEFAULT NULL,
  CONSTRAINT pg_dist_background_task_pkey PRIMARY KEY (task_id),
  CONSTRAINT pg_dist_background_task_job_id_task_id UNIQUE (job_id, task_id)
);
CREATE INDEX pg_dist_background_task_status_task_id_index ON citus.pg_dist_background_task (status, task_id);
CREATE TABLE citus.pg_dist_background_task_depend (
  job_id bigint NOT NULL REFERENCES citus.pg_dist_background_job (job_id) ON DELETE CASCADE,
  task_id bigint NOT NULL,
  depends_on bigint NOT NULL,
  PRIMARY KEY (job_id, task_id, depends_on),
  FOREIGN KEY (job_id, task_id) REFERENCES citus.pg_dist_background_task (job_id, task_id) ON DELETE CASCADE,
  FOREIGN KEY (job_id, depends_on) REFERENCES citus.pg_dist_background_task (job_id, task_id) ON DELETE CASCADE
);
ALTER TABLE citus.pg_dist_background_job SET SCHEMA pg_catalog;
ALTER TABLE citus.pg_dist_background_task SET SCHEMA pg_catalog;
ALTER TABLE citus.pg_dist_background_task_depend SET SCHEMA pg_catalog;

-- ---------------------------------------------------------------------------------------------------------------------
-- Rebalance strategies. Reference "Strategies"; table from citus--9.1-1--9.2-1.sql (+ improvement_threshold, 10.1).
-- by_disk_size is the default since Citus 12 (citus--11.3-2--12.0-1.sql).
-- ---------------------------------------------------------------------------------------------------------------------
CREATE TABLE citus.pg_dist_rebalance_strategy (
  name name NOT NULL,
  default_strategy boolean NOT NULL DEFAULT false,
  shard_cost_function regproc NOT NULL,
  node_capacity_function regproc NOT NULL,
  shard_allowed_on_node_function regproc NOT NULL,
  default_threshold float4 NOT NULL,
  minimum_threshold float4 NOT NULL DEFAULT 0,
  improvement_threshold float4 NOT NULL DEFAULT 0,
  UNIQUE (name)
);
ALTER TABLE citus.pg_dist_rebalance_strategy SET SCHEMA pg_catalog;

-- ---------------------------------------------------------------------------------------------------------------------
-- Stand-in state (schema citus_standin).
-- ---------------------------------------------------------------------------------------------------------------------
CREATE TABLE citus_standin.settings (
  id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  progress_mode text NOT NULL DEFAULT 'manual' CHECK (progress_mode IN ('manual', 'wall-clock')),
  -- the instant up to which the simulation has run; all job/task timestamps come from it
  clock timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Speed of one move. Defaults roughly reproduce the reference's measurement "10 moves of ~23 MB shard groups,
  -- sequential ~70 s" (23 MB / 4 MiB/s + 2 s overhead = ~7.5 s per move).
  -- APPROXIMATION: moves running in parallel do not share bandwidth.
  transfer_bytes_per_second double precision NOT NULL DEFAULT 4194304 CHECK (transfer_bytes_per_second > 0),
  setup_seconds double precision NOT NULL DEFAULT 1 CHECK (setup_seconds >= 0),
  completion_seconds double precision NOT NULL DEFAULT 1 CHECK (completion_seconds >= 0),
  -- Reference "States": "a healthy job waits 0.2-5 s in scheduled before it starts".
  start_delay_seconds double precision NOT NULL DEFAULT 1 CHECK (start_delay_seconds >= 0),
  -- Reference "States": citus_rebalance_stop() -> cancelling then cancelled "within about a second".
  cancel_delay_seconds double precision NOT NULL DEFAULT 0.5 CHECK (cancel_delay_seconds >= 0),
  -- fault injection: the task queue monitor never starts tasks (jobs stay 'scheduled')
  monitor_stalled boolean NOT NULL DEFAULT false,
  -- fault injection: a foreground rebalance_table_shards() holds the rebalance lock
  rebalance_lock_held boolean NOT NULL DEFAULT false,
  -- citus.max_background_task_executors as read when the task queue monitor started (NULL: no monitor running).
  -- Reference: "raising the cluster-wide limit mid-job does not take effect (a counter is not refreshed)".
  monitor_max_executors int,
  -- fault injection: this database answers as a worker node would (citus_is_coordinator() false)
  is_coordinator boolean NOT NULL DEFAULT true,
  -- when the server last started, to notice a restart (see citus_standin.notice_restart)
  server_started_at timestamptz NOT NULL DEFAULT pg_postmaster_start_time(),
  -- fault injection: status reads up to this value of status_read_seq fail (see citus_standin.fail_status_reads)
  status_reads_fail_until bigint NOT NULL DEFAULT 0,
  status_reads_fail_node int
);
INSERT INTO citus_standin.settings DEFAULT VALUES;

-- Counts status reads. A sequence, because nextval() is not rolled back when the read then fails.
CREATE SEQUENCE citus_standin.status_read_seq;

-- Per-database counters that Citus keeps elsewhere.
CREATE SEQUENCE citus_standin.colocationid_seq;
CREATE SEQUENCE citus_standin.pid_seq START 400000;      -- fake pids of background task executors
CREATE SEQUENCE citus_standin.gpid_seq START 10000000001; -- fake global pids in reference-copy commands

-- Size of each shard on the node that holds it (stands in for pg_total_relation_size on the worker).
CREATE TABLE citus_standin.shard_size (
  shardid bigint PRIMARY KEY,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0)
);

CREATE TABLE citus_standin.job_meta (
  job_id bigint PRIMARY KEY REFERENCES pg_catalog.pg_dist_background_job (job_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL
);

-- What each task does and how far its current attempt is.
CREATE TABLE citus_standin.task_work (
  task_id bigint PRIMARY KEY REFERENCES pg_catalog.pg_dist_background_task (task_id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('move', 'reference_copy', 'reference_copy_shard', 'reference_relationships')),
  shardid bigint,                 -- move: representative shard; reference_copy_shard: the reference shard
  source_nodeid int,
  target_nodeid int,              -- NULL for reference_copy: every node that lacks the reference tables
  transfer_mode citus.shard_transfer_mode NOT NULL,
  attempt_started_at timestamptz, -- NULL unless running or cancelling
  attempt_bytes bigint,
  attempt_setup_seconds double precision,
  attempt_copy_seconds double precision,
  attempt_total_seconds double precision,
  attempt_fails_after_seconds double precision, -- NULL: this attempt succeeds
  attempt_failure_message text,
  cancel_requested_at timestamptz
);

-- Injected failures: the next `remaining` attempts of the task fail (-1: every attempt).
CREATE TABLE citus_standin.task_fault (
  task_id bigint PRIMARY KEY REFERENCES pg_catalog.pg_dist_background_task (task_id) ON DELETE CASCADE,
  remaining int NOT NULL,
  message text NOT NULL
);

-- Injected outage: nodes that cannot be reached (see citus_standin.set_node_reachable).
CREATE TABLE citus_standin.unreachable_node (
  nodeid int PRIMARY KEY
);

-- =====================================================================================================================
-- Small helpers
-- =====================================================================================================================

-- The stand-in's notion of "now": the simulated clock (see the header).
CREATE FUNCTION citus_standin.clock() RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT clock FROM citus_standin.settings $$;

CREATE FUNCTION citus_standin.seconds(value double precision) RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT value * interval '1 second' $$;

-- Reads an integer Citus setting (reference "Settings (GUCs)"). Citus settings are custom placeholders here, set in
-- postgresql.conf, with ALTER SYSTEM + pg_reload_conf(), or per session. The value read is the one visible to the
-- session that drives the simulation (advance() in manual mode, whoever polls in wall-clock mode).
-- APPROXIMATION: real Citus reads them in its background workers, so a session-level SET would not count there.
CREATE FUNCTION citus_standin.setting_int(setting_name text, default_value int, min_value int, max_value int)
RETURNS int LANGUAGE plpgsql STABLE AS $$
DECLARE
  raw_value text := nullif(current_setting(setting_name, true), '');
  parsed int;
BEGIN
  IF raw_value IS NULL THEN
    RETURN default_value;
  END IF;
  BEGIN
    parsed := raw_value::int;
  EXCEPTION WHEN others THEN
    RETURN default_value;
  END;
  RETURN least(greatest(parsed, min_value), max_value);
END $$;

-- Citus's plain ereport(ERROR, errmsg(...)) carries SQLSTATE XX000 (reference: "Almost every Citus error uses
-- SQLSTATE XX000"); RAISE EXCEPTION would default to P0001, so every emulated Citus error goes through this.
CREATE FUNCTION citus_standin.citus_error(message text, detail text DEFAULT NULL, hint text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'XX000', MESSAGE = message, DETAIL = coalesce(detail, ''), HINT = coalesce(hint, '');
END $$;

-- =====================================================================================================================
-- Node management. Reference "Nodes"; udfs/citus_add_node, udfs/citus_set_node_property, node_metadata.c.
-- =====================================================================================================================

-- citus_add_node returns the new node id (reference); adding an existing node returns its id (node_metadata.c).
-- APPROXIMATION: groupid other than -1, noderole other than primary and nodecluster are stored, not acted on.
CREATE FUNCTION pg_catalog.citus_add_node(nodename text, nodeport integer, groupid integer DEFAULT -1,
                                          noderole noderole DEFAULT 'primary', nodecluster name DEFAULT 'default')
RETURNS integer LANGUAGE plpgsql STRICT AS $$
#variable_conflict use_variable
DECLARE
  new_nodeid int;
BEGIN
  LOCK TABLE pg_catalog.pg_dist_node IN EXCLUSIVE MODE;
  SELECT n.nodeid INTO new_nodeid FROM pg_catalog.pg_dist_node n WHERE n.nodename = nodename AND n.nodeport = nodeport;
  IF FOUND THEN
    RETURN new_nodeid;
  END IF;
  INSERT INTO pg_catalog.pg_dist_node (groupid, nodename, nodeport, hasmetadata, isactive, noderole, nodecluster,
                                       metadatasynced, shouldhaveshards)
  VALUES (CASE WHEN groupid = -1 THEN nextval('pg_catalog.pg_dist_groupid_seq')::int ELSE groupid END,
          nodename, nodeport, true, true, noderole, nodecluster, true, true)
  RETURNING pg_dist_node.nodeid INTO new_nodeid;
  RETURN new_nodeid;
END $$;

CREATE FUNCTION pg_catalog.citus_set_node_property(nodename text, nodeport integer, property text, value boolean)
RETURNS void LANGUAGE plpgsql STRICT AS $$
#variable_conflict use_variable
BEGIN
  LOCK TABLE pg_catalog.pg_dist_node IN EXCLUSIVE MODE;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_node n WHERE n.nodename = nodename AND n.nodeport = nodeport) THEN
    PERFORM citus_standin.citus_error(format('node at "%s:%s" does not exist', nodename, nodeport));
  END IF;
  IF property <> 'shouldhaveshards' THEN
    PERFORM citus_standin.citus_error('only the ''shouldhaveshards'' property can be set using this function');
  END IF;
  UPDATE pg_catalog.pg_dist_node n SET shouldhaveshards = value WHERE n.nodename = nodename AND n.nodeport = nodeport;
END $$;

-- udfs/citus_is_coordinator/latest.sql: true on the coordinator (group 0), false on a worker, even one with metadata.
CREATE FUNCTION pg_catalog.citus_is_coordinator() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT is_coordinator FROM citus_standin.settings $$;

-- =====================================================================================================================
-- Shard sizes and citus_shards (udfs/citus_shards/latest.sql, udfs/citus_shard_sizes/latest.sql).
-- =====================================================================================================================

CREATE FUNCTION pg_catalog.shard_name(object_name regclass, shard_id bigint) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
  SELECT quote_ident(c.relname || '_' || shard_id) FROM pg_catalog.pg_class c WHERE c.oid = object_name
$$;

CREATE FUNCTION pg_catalog.citus_shard_sizes(OUT shard_id int, OUT size bigint) RETURNS SETOF record
LANGUAGE sql STABLE AS $$
  SELECT s.shardid::int, s.size_bytes FROM citus_standin.shard_size s
$$;

-- Same columns and joins as Citus 13's view. APPROXIMATION: no schema-based sharding (pg_dist_schema) and no
-- extension-owned-table filter.
CREATE VIEW citus.citus_shards AS
SELECT
  pg_dist_shard.logicalrelid AS table_name,
  pg_dist_shard.shardid,
  shard_name(pg_dist_shard.logicalrelid, pg_dist_shard.shardid) AS shard_name,
  CASE WHEN partkey IS NOT NULL THEN 'distributed'
       WHEN repmodel = 't' THEN 'reference'
       WHEN colocationid = 0 THEN 'local'
       ELSE 'distributed' END AS citus_table_type,
  colocationid AS colocation_id,
  pg_dist_node.nodename,
  pg_dist_node.nodeport,
  size AS shard_size
FROM pg_dist_shard
JOIN pg_dist_placement ON pg_dist_shard.shardid = pg_dist_placement.shardid
JOIN pg_dist_node ON pg_dist_placement.groupid = pg_dist_node.groupid
JOIN pg_dist_partition ON pg_dist_partition.logicalrelid = pg_dist_shard.logicalrelid
LEFT JOIN (SELECT shard_id, max(size) AS size FROM citus_shard_sizes() GROUP BY shard_id) AS shard_sizes
  ON pg_dist_shard.shardid = shard_sizes.shard_id
WHERE pg_dist_placement.shardstate = 1
ORDER BY pg_dist_shard.logicalrelid::text, shardid;
ALTER VIEW citus.citus_shards SET SCHEMA pg_catalog;

-- Shards that move together with `shard` (same colocation group, same hash range), in relation order.
CREATE FUNCTION citus_standin.colocated_shards(shard bigint) RETURNS TABLE (shardid bigint, logicalrelid regclass)
LANGUAGE sql STABLE AS $$
  SELECT other.shardid, other.logicalrelid
  FROM pg_catalog.pg_dist_shard me
  JOIN pg_catalog.pg_dist_partition mp ON mp.logicalrelid = me.logicalrelid
  JOIN pg_catalog.pg_dist_partition op ON op.colocationid = mp.colocationid
  JOIN pg_catalog.pg_dist_shard other ON other.logicalrelid = op.logicalrelid
   AND other.shardminvalue IS NOT DISTINCT FROM me.shardminvalue
   AND other.shardmaxvalue IS NOT DISTINCT FROM me.shardmaxvalue
  WHERE me.shardid = shard
  ORDER BY other.logicalrelid::oid, other.shardid
$$;

-- Group of the node holding the active placement of `shard` (replication factor 1).
CREATE FUNCTION citus_standin.shard_node(shard bigint) RETURNS int
LANGUAGE sql STABLE AS $$
  SELECT n.nodeid FROM pg_catalog.pg_dist_placement p JOIN pg_catalog.pg_dist_node n ON n.groupid = p.groupid
  WHERE p.shardid = shard AND p.shardstate = 1 ORDER BY n.nodeid LIMIT 1
$$;

-- =====================================================================================================================
-- Rebalance strategies (reference "Strategies"; udfs/citus_add_rebalance_strategy, citus_set_default_rebalance_strategy;
-- cost/capacity functions from shard_rebalancer.c).
-- =====================================================================================================================

CREATE FUNCTION pg_catalog.citus_shard_cost_1(bigint) RETURNS float4 LANGUAGE sql IMMUTABLE AS $$ SELECT 1::float4 $$;
CREATE FUNCTION pg_catalog.citus_node_capacity_1(int) RETURNS float4 LANGUAGE sql IMMUTABLE AS $$ SELECT 1::float4 $$;
CREATE FUNCTION pg_catalog.citus_shard_allowed_on_node_true(bigint, int) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;

-- Size of the colocated shard group plus citus.rebalancer_by_disk_size_base_cost (default 100MB in
-- shard_rebalancer.c / shared_library_init.c; not in the reference).
CREATE FUNCTION pg_catalog.citus_shard_cost_by_disk_size(shard_id bigint) RETURNS float4
LANGUAGE plpgsql STABLE AS $$
DECLARE
  base_cost text := coalesce(nullif(current_setting('citus.rebalancer_by_disk_size_base_cost', true), ''), '100MB');
  group_bytes bigint;
BEGIN
  SELECT coalesce(sum(s.size_bytes), 0) INTO group_bytes
  FROM citus_standin.colocated_shards(shard_id) c JOIN citus_standin.shard_size s ON s.shardid = c.shardid;
  group_bytes := group_bytes + pg_size_bytes(base_cost);
  RETURN CASE WHEN group_bytes <= 0 THEN 1 ELSE group_bytes END;
END $$;

INSERT INTO pg_catalog.pg_dist_rebalance_strategy (name, default_strategy, shard_cost_function, node_capacity_function,
  shard_allowed_on_node_function, default_threshold, minimum_threshold, improvement_threshold)
VALUES ('by_shard_count', false, 'citus_shard_cost_1', 'citus_node_capacity_1', 'citus_shard_allowed_on_node_true', 0, 0, 0),
       ('by_disk_size', true, 'citus_shard_cost_by_disk_size', 'citus_node_capacity_1', 'citus_shard_allowed_on_node_true', 0.1, 0.01, 0.5);

CREATE FUNCTION pg_catalog.citus_add_rebalance_strategy(name name, shard_cost_function regproc,
  node_capacity_function regproc, shard_allowed_on_node_function regproc, default_threshold float4,
  minimum_threshold float4 DEFAULT 0, improvement_threshold float4 DEFAULT 0)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO pg_catalog.pg_dist_rebalance_strategy (name, shard_cost_function, node_capacity_function,
    shard_allowed_on_node_function, default_threshold, minimum_threshold, improvement_threshold)
  VALUES (name, shard_cost_function, node_capacity_function, shard_allowed_on_node_function, default_threshold,
    minimum_threshold, improvement_threshold);
$$;

CREATE FUNCTION pg_catalog.citus_set_default_rebalance_strategy(name text) RETURNS void
LANGUAGE plpgsql STRICT AS $$
BEGIN
  LOCK TABLE pg_catalog.pg_dist_rebalance_strategy IN SHARE ROW EXCLUSIVE MODE;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_rebalance_strategy t WHERE t.name = $1) THEN
    RAISE EXCEPTION 'strategy with specified name does not exist';
  END IF;
  UPDATE pg_catalog.pg_dist_rebalance_strategy SET default_strategy = false WHERE default_strategy = true;
  UPDATE pg_catalog.pg_dist_rebalance_strategy t SET default_strategy = true WHERE t.name = $1;
END $$;

-- GetRebalanceStrategy (shard_rebalancer.c): NULL picks the default strategy.
CREATE FUNCTION citus_standin.strategy(strategy_name name) RETURNS pg_catalog.pg_dist_rebalance_strategy
LANGUAGE plpgsql STABLE AS $$
DECLARE
  found_strategy pg_catalog.pg_dist_rebalance_strategy;
BEGIN
  IF strategy_name IS NULL THEN
    SELECT * INTO found_strategy FROM pg_catalog.pg_dist_rebalance_strategy WHERE default_strategy LIMIT 1;
    IF NOT FOUND THEN
      PERFORM citus_standin.citus_error('no rebalance_strategy was provided, but there is also no default strategy set');
    END IF;
  ELSE
    SELECT * INTO found_strategy FROM pg_catalog.pg_dist_rebalance_strategy WHERE name = strategy_name;
    IF NOT FOUND THEN
      PERFORM citus_standin.citus_error(format('could not find rebalance strategy with name %s', strategy_name));
    END IF;
  END IF;
  RETURN found_strategy;
END $$;

-- =====================================================================================================================
-- Planning: a port of shard_rebalancer.c GetRebalanceSteps / RebalancePlacementUpdates / InitRebalanceState /
-- MoveShardsAwayFromDisallowedNodes / FindAndMoveShardCost, in float4 like the original. One "state" is one
-- colocation group (placements of its representative relation); colocation groups with fewer shards than nodes that
-- may hold shards are balanced together as one extra state.
-- =====================================================================================================================

CREATE FUNCTION citus_standin.utilization(total_cost real, capacity real) RETURNS real
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN capacity <= 0 THEN 'Infinity'::real ELSE total_cost / capacity END $$;

CREATE FUNCTION citus_standin.shard_allowed_on_node(strategy pg_catalog.pg_dist_rebalance_strategy, shard bigint,
                                                    node int, should_have_shards boolean)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
  allowed boolean;
BEGIN
  IF NOT should_have_shards THEN
    RETURN false;
  END IF;
  EXECUTE format('SELECT %s($1, $2)', strategy.shard_allowed_on_node_function) INTO allowed USING shard, node;
  RETURN allowed;
END $$;

-- Plans one state. Rows with shardid NULL are a summary (stopped_early, ignored_moves).
-- phase 'drain': only MoveShardsAwayFromDisallowedNodes moves are returned.
-- phase 'balance': the drain moves are replayed silently, then up to max_balance_moves balancing moves returned.
CREATE FUNCTION citus_standin.plan_state(state_shards bigint[], strategy pg_catalog.pg_dist_rebalance_strategy,
  threshold real, improvement_threshold real, phase text, max_balance_moves int)
RETURNS TABLE (shardid bigint, source_nodeid int, target_nodeid int, stopped_early boolean, ignored_moves bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
  n_id int[]; n_name text[]; n_port int[]; n_should boolean[];
  n_cap real[] := '{}'; n_cost real[] := '{}'; n_util real[] := '{}';
  s_id bigint[] := '{}'; s_cost real[] := '{}'; s_node int[] := '{}';
  shard bigint; node_index int; cost real;
  total_cost real := 0; total_capacity real := 0;
  average real; lower_bound real; upper_bound real;
  disallowed int[]; i int; src int; tgt int; sh int;
  new_target_cost real; new_target_util real; new_source_cost real; new_source_util real;
  improvement real; added_by_shard real; normalized real;
  found_move boolean; more_moves boolean := true; balance_moves int := 0; ignored bigint := 0;
BEGIN
  -- SortedActiveWorkers(): active readable nodes ordered by name and port (the coordinator too, when in pg_dist_node)
  SELECT array_agg(n.nodeid ORDER BY n.nodename, n.nodeport), array_agg(n.nodename ORDER BY n.nodename, n.nodeport),
         array_agg(n.nodeport ORDER BY n.nodename, n.nodeport), array_agg(n.shouldhaveshards ORDER BY n.nodename, n.nodeport)
    INTO n_id, n_name, n_port, n_should
  FROM pg_catalog.pg_dist_node n WHERE n.isactive AND n.noderole = 'primary';
  FOR i IN 1 .. coalesce(cardinality(n_id), 0) LOOP
    IF n_should[i] THEN  -- NodeCapacity(): 0 when the node should not have shards
      EXECUTE format('SELECT %s($1)::real', strategy.node_capacity_function) INTO cost USING n_id[i];
    ELSE
      cost := 0;
    END IF;
    n_cap[i] := cost; n_cost[i] := 0; n_util[i] := citus_standin.utilization(0, cost);
    total_capacity := total_capacity + cost;
  END LOOP;

  FOREACH shard IN ARRAY state_shards LOOP
    node_index := array_position(n_id, citus_standin.shard_node(shard));
    CONTINUE WHEN node_index IS NULL;  -- placement on an inactive node: not part of the plan
    EXECUTE format('SELECT %s($1)::real', strategy.shard_cost_function) INTO cost USING shard;
    s_id := s_id || shard; s_cost := s_cost || cost; s_node := s_node || node_index;
    n_cost[node_index] := n_cost[node_index] + cost;
    n_util[node_index] := citus_standin.utilization(n_cost[node_index], n_cap[node_index]);
    total_cost := total_cost + cost;
  END LOOP;

  -- MoveShardsAwayFromDisallowedNodes: costliest first (CompareShardCostDesc), each to the emptiest allowed node.
  SELECT array_agg(o.i ORDER BY o.c DESC, o.id) INTO disallowed
  FROM unnest(s_id, s_cost, s_node) WITH ORDINALITY AS o(id, c, nd, i)
  WHERE NOT citus_standin.shard_allowed_on_node(strategy, o.id, n_id[o.nd], n_should[o.nd]);
  FOREACH sh IN ARRAY coalesce(disallowed, '{}') LOOP
    SELECT o.i INTO tgt FROM unnest(n_util, n_cap, n_id) WITH ORDINALITY AS o(u, c, id, i)
    WHERE o.i <> s_node[sh] AND citus_standin.shard_allowed_on_node(strategy, s_id[sh], o.id, n_should[o.i])
    ORDER BY o.u, o.c DESC, o.id LIMIT 1;
    IF NOT FOUND THEN
      IF phase = 'drain' THEN
        RAISE WARNING 'Not allowed to move shard % anywhere from %:%', s_id[sh], n_name[s_node[sh]], n_port[s_node[sh]];
      END IF;
      CONTINUE;
    END IF;
    src := s_node[sh];
    IF phase = 'drain' THEN
      shardid := s_id[sh]; source_nodeid := n_id[src]; target_nodeid := n_id[tgt]; stopped_early := NULL; ignored_moves := NULL;
      RETURN NEXT;
    END IF;
    s_node[sh] := tgt;
    n_cost[src] := n_cost[src] - s_cost[sh]; n_util[src] := citus_standin.utilization(n_cost[src], n_cap[src]);
    n_cost[tgt] := n_cost[tgt] + s_cost[sh]; n_util[tgt] := citus_standin.utilization(n_cost[tgt], n_cap[tgt]);
  END LOOP;

  IF phase = 'balance' THEN
    average := total_cost / total_capacity;
    lower_bound := (1.0 - threshold) * average;
    upper_bound := (1.0 + threshold) * average;
    WHILE balance_moves < max_balance_moves AND more_moves LOOP
      -- FindAndMoveShardCost: fullest source first, emptiest target first, costliest shard first.
      found_move := false;
      <<sources>>
      FOR src IN SELECT o.i FROM unnest(n_util, n_cap, n_id) WITH ORDINALITY AS o(u, c, id, i) ORDER BY o.u DESC, o.c, o.id DESC LOOP
        EXIT sources WHEN n_util[src] <= lower_bound;  -- the fullest remaining node is already too empty
        FOR tgt IN SELECT o.i FROM unnest(n_util, n_cap, n_id) WITH ORDINALITY AS o(u, c, id, i) ORDER BY o.u, o.c DESC, o.id LOOP
          EXIT WHEN n_util[tgt] >= upper_bound;
          EXIT WHEN n_util[tgt] >= lower_bound AND n_util[src] <= upper_bound;
          FOR sh IN SELECT o.i FROM unnest(s_id, s_cost, s_node) WITH ORDINALITY AS o(id, c, nd, i)
                    WHERE o.nd = src ORDER BY o.c DESC, o.id LOOP
            CONTINUE WHEN s_node[sh] = tgt;
            CONTINUE WHEN NOT citus_standin.shard_allowed_on_node(strategy, s_id[sh], n_id[tgt], n_should[tgt]);
            new_target_cost := n_cost[tgt] + s_cost[sh];
            new_target_util := citus_standin.utilization(new_target_cost, n_cap[tgt]);
            new_source_cost := n_cost[src] - s_cost[sh];
            new_source_util := citus_standin.utilization(new_source_cost, n_cap[src]);
            IF new_target_util > new_source_util THEN
              CONTINUE WHEN new_target_util > n_util[src];
              CONTINUE WHEN new_target_util = n_util[src] AND new_source_util <= n_util[tgt];
              improvement := greatest(n_util[src] - new_target_util, new_source_util - n_util[tgt]);
              added_by_shard := least(new_target_util - n_util[tgt], n_util[src] - new_source_util);
              normalized := improvement / added_by_shard;
              IF normalized < improvement_threshold THEN
                ignored := ignored + 1;
                IF ignored <= 5 THEN  -- citus.max_rebalancer_logged_ignored_moves, default 5
                  RAISE NOTICE 'Ignoring move of shard % from %:% to %:%, because the move only brings a small improvement relative to the shard its size',
                    s_id[sh], n_name[src], n_port[src], n_name[tgt], n_port[tgt]
                    USING DETAIL = format('The balance improvement of %s is lower than the improvement_threshold of %s', normalized, improvement_threshold);
                END IF;
                CONTINUE;
              END IF;
            END IF;
            -- MoveShardCost
            shardid := s_id[sh]; source_nodeid := n_id[src]; target_nodeid := n_id[tgt]; stopped_early := NULL; ignored_moves := NULL;
            RETURN NEXT;
            s_node[sh] := tgt;
            n_cost[src] := new_source_cost; n_util[src] := new_source_util;
            n_cost[tgt] := new_target_cost; n_util[tgt] := new_target_util;
            balance_moves := balance_moves + 1;
            found_move := true;
            EXIT sources;
          END LOOP;
        END LOOP;
      END LOOP;
      more_moves := found_move;
    END LOOP;
  END IF;

  shardid := NULL; source_nodeid := NULL; target_nodeid := NULL;
  stopped_early := phase = 'balance' AND more_moves; ignored_moves := ignored;
  RETURN NEXT;
END $$;

-- GetRebalanceSteps + RebalancePlacementUpdates: the ordered list of group moves (one row per representative shard).
CREATE FUNCTION citus_standin.rebalance_steps(relation regclass, threshold real, max_shard_moves int,
  excluded_shard_list bigint[], drain_only boolean, strategy pg_catalog.pg_dist_rebalance_strategy,
  improvement_threshold real)
RETURNS TABLE (step int, shardid bigint, source_nodeid int, target_nodeid int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  allowed_nodes int;
  rel regclass;
  rel_shards bigint[];
  states jsonb := '[]';
  unbalanced bigint[] := '{}';
  state_shards bigint[];
  moves_so_far int := 0;
  summary record;
  total_ignored bigint := 0;
  stopped boolean := false;
  move record;
  m_shard bigint[] := '{}'; m_source int[] := '{}'; m_target int[] := '{}';
BEGIN
  SELECT count(*) INTO allowed_nodes FROM pg_catalog.pg_dist_node n
  WHERE n.isactive AND n.noderole = 'primary' AND n.shouldhaveshards;
  IF allowed_nodes < 1 THEN  -- citus.shard_replication_factor is 1
    PERFORM citus_standin.citus_error(format(
      'Shard replication factor (1) cannot be greater than number of nodes with should_have_shards=true (%s).', allowed_nodes));
  END IF;

  FOR rel IN
    SELECT r.logicalrelid FROM (
      SELECT DISTINCT ON (p.colocationid) p.logicalrelid, p.colocationid FROM pg_catalog.pg_dist_partition p
      WHERE p.partmethod = 'h' AND (relation IS NULL OR p.logicalrelid = relation)
      ORDER BY p.colocationid, p.logicalrelid::oid) r
    ORDER BY r.colocationid
  LOOP
    SELECT coalesce(array_agg(s.shardid ORDER BY s.shardid), '{}') INTO rel_shards
    FROM pg_catalog.pg_dist_shard s
    WHERE s.logicalrelid = rel AND NOT s.shardid = ANY (excluded_shard_list)
      AND EXISTS (SELECT 1 FROM pg_catalog.pg_dist_placement pl WHERE pl.shardid = s.shardid AND pl.shardstate = 1);
    IF cardinality(rel_shards) >= allowed_nodes THEN
      states := states || jsonb_build_array(to_jsonb(rel_shards));
    ELSE
      unbalanced := unbalanced || rel_shards;
    END IF;
  END LOOP;
  IF cardinality(unbalanced) > 0 THEN
    states := states || jsonb_build_array(to_jsonb(unbalanced));
  END IF;

  IF threshold < strategy.minimum_threshold THEN
    RAISE WARNING 'the given threshold is lower than the minimum threshold allowed by the rebalance strategy, using the minimum allowed threshold instead'
      USING DETAIL = format('Using threshold of %s', to_char(strategy.minimum_threshold, 'FM990.00'));
    threshold := strategy.minimum_threshold;
  END IF;

  -- drain moves of every state first, then balancing state by state (RebalancePlacementUpdates)
  FOR state_shards IN SELECT ARRAY(SELECT jsonb_array_elements_text(st)::bigint) FROM jsonb_array_elements(states) st LOOP
    FOR move IN SELECT * FROM citus_standin.plan_state(state_shards, strategy, threshold, improvement_threshold, 'drain', 0) m
                WHERE m.shardid IS NOT NULL LOOP
      moves_so_far := moves_so_far + 1;
      m_shard := m_shard || move.shardid; m_source := m_source || move.source_nodeid; m_target := m_target || move.target_nodeid;
    END LOOP;
  END LOOP;
  IF NOT drain_only THEN
    FOR state_shards IN SELECT ARRAY(SELECT jsonb_array_elements_text(st)::bigint) FROM jsonb_array_elements(states) st LOOP
      FOR move IN SELECT * FROM citus_standin.plan_state(state_shards, strategy, threshold, improvement_threshold,
                                                         'balance', max_shard_moves - moves_so_far) LOOP
        IF move.shardid IS NULL THEN
          summary := move;
        ELSE
          moves_so_far := moves_so_far + 1;
          m_shard := m_shard || move.shardid; m_source := m_source || move.source_nodeid; m_target := m_target || move.target_nodeid;
        END IF;
      END LOOP;
      total_ignored := total_ignored + summary.ignored_moves;
      IF summary.stopped_early THEN
        RAISE NOTICE 'Stopped searching before we were out of moves. Please rerun the rebalancer after it''s finished for a more optimal placement.';
        EXIT;
      END IF;
    END LOOP;
  END IF;
  IF total_ignored > 0 THEN
    RAISE NOTICE 'Ignored % moves, % of which are shown in notices above', total_ignored,
      CASE WHEN total_ignored <= 5 THEN 'all' ELSE '5' END
      USING HINT = format('If you do want these moves to happen, try changing improvement_threshold to a lower value than what it is now (%s).', improvement_threshold);
  END IF;
  RETURN QUERY SELECT m.step::int, m.shard, m.src, m.tgt
    FROM unnest(m_shard, m_source, m_target) WITH ORDINALITY AS m(shard, src, tgt, step) ORDER BY m.step;
END $$;

-- Reference "get_rebalance_table_shards_plan"; signature from udfs/get_rebalance_table_shards_plan/latest.sql.
-- Colocated shards appear as separate rows; shard_size is pg_dist_placement.shardlength (0 for hash tables).
CREATE FUNCTION pg_catalog.get_rebalance_table_shards_plan(relation regclass DEFAULT NULL, threshold float4 DEFAULT NULL,
  max_shard_moves int DEFAULT 1000000, excluded_shard_list bigint[] DEFAULT '{}', drain_only boolean DEFAULT false,
  rebalance_strategy name DEFAULT NULL, improvement_threshold float4 DEFAULT NULL)
RETURNS TABLE (table_name regclass, shardid bigint, shard_size bigint, sourcename text, sourceport int,
               targetname text, targetport int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  strategy pg_catalog.pg_dist_rebalance_strategy;
BEGIN
  PERFORM citus_standin.catch_up();
  IF relation IS NOT NULL THEN
    PERFORM citus_standin.ensure_movable_table(relation);
  END IF;
  PERFORM citus_standin.ensure_not_null(max_shard_moves IS NULL, 'max_shard_moves');
  PERFORM citus_standin.ensure_not_null(excluded_shard_list IS NULL, 'excluded_shard_list');
  PERFORM citus_standin.ensure_not_null(drain_only IS NULL, 'drain_only');
  strategy := citus_standin.strategy(rebalance_strategy);
  RETURN QUERY
    SELECT c.logicalrelid, c.shardid,
           (SELECT coalesce(max(p.shardlength), 0) FROM pg_catalog.pg_dist_placement p WHERE p.shardid = c.shardid),
           src.nodename, src.nodeport, tgt.nodename, tgt.nodeport
    FROM citus_standin.rebalance_steps(relation, coalesce(threshold, strategy.default_threshold), max_shard_moves,
           excluded_shard_list, drain_only, strategy, coalesce(improvement_threshold, strategy.improvement_threshold)) m
    CROSS JOIN LATERAL citus_standin.colocated_shards(m.shardid) c
    JOIN pg_catalog.pg_dist_node src ON src.nodeid = m.source_nodeid
    JOIN pg_catalog.pg_dist_node tgt ON tgt.nodeid = m.target_nodeid
    ORDER BY m.step, c.logicalrelid::oid, c.shardid;
END $$;

-- PG_ENSURE_ARGNOTNULL (argutils.h): SQLSTATE 22004.
CREATE FUNCTION citus_standin.ensure_not_null(is_null boolean, argument_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF is_null THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed', MESSAGE = format('%s cannot be NULL', argument_name);
  END IF;
END $$;

-- ErrorIfMoveUnsupportedTableType (shard_transfer.c). APPROXIMATION: message texts not checked against the
-- sources; the reference is silent.
CREATE FUNCTION citus_standin.ensure_movable_table(relation regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  method "char";
BEGIN
  SELECT partmethod INTO method FROM pg_catalog.pg_dist_partition WHERE logicalrelid = relation;
  IF NOT FOUND THEN
    PERFORM citus_standin.citus_error(format('table %s is a regular postgres table, you can only move shards of a citus table', relation));
  ELSIF method <> 'h' THEN
    PERFORM citus_standin.citus_error(format('table %s is a reference table, moving shard of a reference table is not supported', relation));
  END IF;
END $$;

-- =====================================================================================================================
-- Background jobs: state transitions (ports of metadata_utility.c and background_jobs.c).
-- =====================================================================================================================

CREATE FUNCTION citus_standin.job_is_terminal(state citus_job_status) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT state IN ('finished', 'cancelled', 'failed') $$;

-- UpdateBackgroundJob: the job state is derived from its tasks (reference "States").
CREATE FUNCTION citus_standin.update_job(job bigint, at_time timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  new_state citus_job_status;
BEGIN
  SELECT count(*) FILTER (WHERE status = 'blocked') AS blocked, count(*) FILTER (WHERE status = 'runnable') AS runnable,
         count(*) FILTER (WHERE status = 'running') AS running, count(*) FILTER (WHERE status = 'cancelling') AS cancelling,
         count(*) FILTER (WHERE status = 'cancelled') AS cancelled, count(*) FILTER (WHERE status = 'error') AS error,
         count(*) FILTER (WHERE status = 'unscheduled') AS unscheduled
    INTO c FROM pg_catalog.pg_dist_background_task WHERE job_id = job;
  IF c.cancelling > 0 THEN
    new_state := 'cancelling';
  ELSIF c.cancelled > 0 THEN
    new_state := 'cancelled';
  ELSIF c.blocked + c.runnable + c.running + c.error + c.unscheduled = 0 THEN
    new_state := 'finished';
  ELSIF c.error + c.unscheduled > 0 THEN
    new_state := CASE WHEN c.blocked + c.runnable + c.running > 0 THEN 'failing' ELSE 'failed' END;
  ELSE
    new_state := 'running';
  END IF;
  UPDATE pg_catalog.pg_dist_background_job j
     SET state = new_state,
         started_at = CASE WHEN new_state = 'running' AND j.started_at IS NULL THEN at_time ELSE j.started_at END,
         finished_at = CASE WHEN citus_standin.job_is_terminal(new_state) AND j.finished_at IS NULL THEN at_time
                            ELSE j.finished_at END
   WHERE j.job_id = job;
  IF NOT FOUND THEN
    PERFORM citus_standin.citus_error(format('could not find background jobs entry for job_id: %s', job));
  END IF;
END $$;

-- CalculateBackoffDelay (background_jobs.c): retry 1 after 5 s, retry 2 after 20 s, retries 3..32 after 60 s,
-- then the task goes to 'error' (reference "States": "retried after 5 s, 20 s, then every 60 s, up to 32 tries").
CREATE FUNCTION citus_standin.backoff_seconds(retry_count int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN retry_count = 1 THEN 5 WHEN retry_count = 2 THEN 20 WHEN retry_count <= 32 THEN 60 ELSE -1 END
$$;

CREATE FUNCTION citus_standin.has_unmet_dependencies(task bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_dist_background_task_depend d
    JOIN pg_catalog.pg_dist_background_task t ON t.task_id = d.depends_on
    WHERE d.task_id = task AND t.status <> 'done')
$$;

-- UnblockDependingBackgroundTasks
CREATE FUNCTION citus_standin.unblock_dependents(task bigint) RETURNS void
LANGUAGE sql AS $$
  UPDATE pg_catalog.pg_dist_background_task t SET status = 'runnable'
  WHERE t.status = 'blocked'
    AND t.task_id IN (SELECT d.task_id FROM pg_catalog.pg_dist_background_task_depend d WHERE d.depends_on = task)
    AND NOT citus_standin.has_unmet_dependencies(t.task_id);
$$;

-- UnscheduleDependentTasks: everything that (transitively) depends on a task in 'error' can never run.
CREATE FUNCTION citus_standin.unschedule_dependents(task bigint) RETURNS void
LANGUAGE sql AS $$
  WITH RECURSIVE dependents(task_id) AS (
    SELECT d.task_id FROM pg_catalog.pg_dist_background_task_depend d WHERE d.depends_on = task
    UNION
    SELECT d.task_id FROM pg_catalog.pg_dist_background_task_depend d JOIN dependents ON d.depends_on = dependents.task_id)
  UPDATE pg_catalog.pg_dist_background_task t SET status = 'unscheduled'
  WHERE t.task_id IN (SELECT task_id FROM dependents);
$$;

-- Active primary nodes that lack a placement of some reference table (HasNodesWithMissingReferenceTables).
CREATE FUNCTION citus_standin.nodes_missing_reference_tables() RETURNS SETOF int
LANGUAGE sql STABLE AS $$
  SELECT n.nodeid FROM pg_catalog.pg_dist_node n
  WHERE n.isactive AND n.noderole = 'primary'
    AND EXISTS (
      SELECT 1 FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_dist_shard s ON s.logicalrelid = p.logicalrelid
      WHERE p.partmethod = 'n' AND p.repmodel = 't'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_placement pl
                        WHERE pl.shardid = s.shardid AND pl.groupid = n.groupid AND pl.shardstate = 1))
  ORDER BY n.nodeid
$$;

CREATE FUNCTION citus_standin.reference_shards() RETURNS TABLE (shardid bigint, logicalrelid regclass)
LANGUAGE sql STABLE AS $$
  SELECT s.shardid, s.logicalrelid FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_dist_shard s USING (logicalrelid)
  WHERE p.partmethod = 'n' AND p.repmodel = 't' ORDER BY p.logicalrelid::oid, s.shardid
$$;

-- Starts one attempt of a task (AssignRunnableTaskToNewExecutor): running, with a pid, and decides now how long
-- the attempt takes and whether it fails (injected faults).
CREATE FUNCTION citus_standin.start_task(task bigint, at_time timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  w citus_standin.task_work;
  cfg citus_standin.settings;
  job bigint;
  bytes bigint;
  copy_seconds double precision;
  fails_after double precision;
  failure text;
  down_node int;
BEGIN
  SELECT * INTO cfg FROM citus_standin.settings;
  SELECT * INTO w FROM citus_standin.task_work WHERE task_id = task;
  UPDATE pg_catalog.pg_dist_background_task SET status = 'running', pid = nextval('citus_standin.pid_seq')
  WHERE task_id = task RETURNING job_id INTO job;

  bytes := CASE w.kind
    WHEN 'move' THEN (SELECT coalesce(sum(sz.size_bytes), 0) FROM citus_standin.colocated_shards(w.shardid) c
                      JOIN citus_standin.shard_size sz ON sz.shardid = c.shardid)
    WHEN 'reference_copy' THEN (SELECT coalesce(sum(sz.size_bytes), 0) FROM citus_standin.reference_shards() r
                                JOIN citus_standin.shard_size sz ON sz.shardid = r.shardid)
                               * (SELECT count(*) FROM citus_standin.nodes_missing_reference_tables())
    WHEN 'reference_copy_shard' THEN (SELECT coalesce(sum(sz.size_bytes), 0) FROM citus_standin.shard_size sz
                                      WHERE sz.shardid = w.shardid)
    ELSE 0 END;
  copy_seconds := bytes / cfg.transfer_bytes_per_second;

  -- Injected outage: the move checks disk space on its nodes first (shard_transfer.c, reference "Observed faults").
  SELECT u.nodeid INTO down_node FROM citus_standin.unreachable_node u
  WHERE u.nodeid IN (w.source_nodeid, w.target_nodeid)
     OR (w.kind = 'reference_copy' AND u.nodeid IN (SELECT citus_standin.nodes_missing_reference_tables()))
  ORDER BY u.nodeid LIMIT 1;
  IF down_node IS NOT NULL THEN
    fails_after := 0;
    failure := (SELECT format('Could not fetch disk stats for node: %s-%s', nodename, nodeport)
                FROM pg_catalog.pg_dist_node WHERE nodeid = down_node);
  ELSE
    -- Injected failure (citus_standin.fail_task): fails half way through copying.
    SELECT f.message INTO failure FROM citus_standin.task_fault f WHERE f.task_id = task AND f.remaining <> 0;
    IF FOUND THEN
      fails_after := cfg.setup_seconds + copy_seconds / 2;
      UPDATE citus_standin.task_fault SET remaining = remaining - 1 WHERE task_id = task AND remaining > 0;
    END IF;
  END IF;

  UPDATE citus_standin.task_work
     SET attempt_started_at = at_time, attempt_bytes = bytes, attempt_setup_seconds = cfg.setup_seconds,
         attempt_copy_seconds = copy_seconds,
         attempt_total_seconds = cfg.setup_seconds + copy_seconds + cfg.completion_seconds,
         attempt_fails_after_seconds = fails_after, attempt_failure_message = failure, cancel_requested_at = NULL
   WHERE task_id = task;
  PERFORM citus_standin.update_job(job, at_time);
END $$;

CREATE FUNCTION citus_standin.clear_attempt(task bigint) RETURNS void
LANGUAGE sql AS $$
  UPDATE citus_standin.task_work
     SET attempt_started_at = NULL, attempt_bytes = NULL, attempt_setup_seconds = NULL, attempt_copy_seconds = NULL,
         attempt_total_seconds = NULL, attempt_fails_after_seconds = NULL, attempt_failure_message = NULL,
         cancel_requested_at = NULL
   WHERE task_id = task;
$$;

-- A successful attempt: the data is in place on the target.
CREATE FUNCTION citus_standin.finish_task(task bigint, at_time timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  w citus_standin.task_work;
  job bigint;
BEGIN
  SELECT * INTO w FROM citus_standin.task_work WHERE task_id = task;
  IF w.kind = 'move' THEN
    UPDATE pg_catalog.pg_dist_placement p
       SET groupid = (SELECT groupid FROM pg_catalog.pg_dist_node WHERE nodeid = w.target_nodeid)
     WHERE p.shardid IN (SELECT c.shardid FROM citus_standin.colocated_shards(w.shardid) c)
       AND p.groupid = (SELECT groupid FROM pg_catalog.pg_dist_node WHERE nodeid = w.source_nodeid);
  ELSIF w.kind IN ('reference_copy', 'reference_copy_shard') THEN
    INSERT INTO pg_catalog.pg_dist_placement (shardid, shardstate, shardlength, groupid)
    SELECT r.shardid, 1, 0, n.groupid
    FROM citus_standin.reference_shards() r
    CROSS JOIN pg_catalog.pg_dist_node n
    WHERE n.isactive AND n.noderole = 'primary'
      AND (w.kind = 'reference_copy' OR (r.shardid = w.shardid AND n.nodeid = w.target_nodeid))
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_placement pl WHERE pl.shardid = r.shardid AND pl.groupid = n.groupid);
  END IF;
  UPDATE pg_catalog.pg_dist_background_task SET status = 'done', pid = NULL, message = ''
  WHERE task_id = task RETURNING job_id INTO job;
  PERFORM citus_standin.clear_attempt(task);
  PERFORM citus_standin.unblock_dependents(task);
  PERFORM citus_standin.update_job(job, at_time);
END $$;

-- TaskHadError: retry with backoff, or 'error' after the last try; the attempt's copy is rolled back.
-- The message is what bgw_generate_returned_message records: "<severity>: <message>".
CREATE FUNCTION citus_standin.fail_task_attempt(task bigint, at_time timestamptz, failure text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  retries int;
  delay int;
  job bigint;
BEGIN
  SELECT coalesce(retry_count, 0) + 1, job_id INTO retries, job FROM pg_catalog.pg_dist_background_task WHERE task_id = task;
  delay := citus_standin.backoff_seconds(retries);
  UPDATE pg_catalog.pg_dist_background_task
     SET retry_count = retries, pid = NULL, message = 'ERROR: ' || failure,
         status = CASE WHEN delay < 0 THEN 'error' ELSE 'runnable' END::citus_task_status,
         not_before = CASE WHEN delay < 0 THEN NULL ELSE at_time + citus_standin.seconds(delay) END
   WHERE task_id = task;
  PERFORM citus_standin.clear_attempt(task);
  IF delay < 0 THEN
    PERFORM citus_standin.unschedule_dependents(task);
  END IF;
  PERFORM citus_standin.update_job(job, at_time);
END $$;

-- Ends everything due at or before at_time: cancellations, failed attempts, finished attempts. Returns how many.
CREATE FUNCTION citus_standin.process_due(at_time timestamptz) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  cfg citus_standin.settings;
  r record;
  handled int := 0;
BEGIN
  SELECT * INTO cfg FROM citus_standin.settings;
  -- the executor notices the cancellation and rolls the in-flight move back (TaskConcurrentCancelCheck)
  FOR r IN SELECT t.task_id, t.job_id FROM pg_catalog.pg_dist_background_task t JOIN citus_standin.task_work w USING (task_id)
           WHERE t.status = 'cancelling' AND w.cancel_requested_at + citus_standin.seconds(cfg.cancel_delay_seconds) <= at_time
           ORDER BY t.task_id LOOP
    UPDATE pg_catalog.pg_dist_background_task SET status = 'cancelled', pid = NULL WHERE task_id = r.task_id;
    PERFORM citus_standin.clear_attempt(r.task_id);
    PERFORM citus_standin.update_job(r.job_id, at_time);
    handled := handled + 1;
  END LOOP;
  FOR r IN SELECT w.task_id, w.attempt_fails_after_seconds AS fails_after, w.attempt_failure_message AS failure
           FROM pg_catalog.pg_dist_background_task t JOIN citus_standin.task_work w USING (task_id)
           WHERE t.status = 'running'
             AND w.attempt_started_at + citus_standin.seconds(coalesce(w.attempt_fails_after_seconds, w.attempt_total_seconds)) <= at_time
           ORDER BY w.attempt_started_at + citus_standin.seconds(coalesce(w.attempt_fails_after_seconds, w.attempt_total_seconds)), w.task_id LOOP
    IF r.fails_after IS NOT NULL THEN
      PERFORM citus_standin.fail_task_attempt(r.task_id, at_time, r.failure);
    ELSE
      PERFORM citus_standin.finish_task(r.task_id, at_time);
    END IF;
    handled := handled + 1;
  END LOOP;
  RETURN handled;
END $$;

-- The task queue monitor (background_jobs.c AssignRunnableTasks / GetRunnableBackgroundTask): starts runnable tasks
-- in task_id order while fewer than citus.max_background_task_executors run cluster-wide, skipping tasks whose
-- not_before is in the future, whose dependencies are not done, or that involve a node already running
-- citus.max_background_task_executors_per_node tasks. Returns how many tasks it started.
-- Reference "Parallel moves need three things at once": the cluster-wide limit is read once when the monitor starts
-- (raising it mid-job has no effect); the per-node limit is read on every pass (raising it mid-job takes effect).
-- APPROXIMATION: executors are also capped at max_worker_processes - 2 (the monitor and the Citus maintenance
-- daemon hold background worker slots too); the exact count of other background workers is not modelled.
-- APPROXIMATION: a job's tasks start start_delay_seconds after the job was created (the monitor's wake-up delay);
-- later tasks start as soon as a slot frees up or not_before passes (no 5 s queue-interval polling).
CREATE FUNCTION citus_standin.schedule(at_time timestamptz) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  cfg citus_standin.settings;
  per_node int;
  running int;
  started int := 0;
  candidate record;
BEGIN
  SELECT * INTO cfg FROM citus_standin.settings;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_background_task
                 WHERE status IN ('blocked', 'runnable', 'running', 'cancelling')) THEN
    UPDATE citus_standin.settings SET monitor_max_executors = NULL WHERE monitor_max_executors IS NOT NULL;
    RETURN 0;  -- nothing left to do: the monitor exits
  END IF;
  IF cfg.monitor_stalled THEN
    RETURN 0;
  END IF;
  IF cfg.monitor_max_executors IS NULL THEN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_background_task t JOIN citus_standin.job_meta m USING (job_id)
                   WHERE t.status = 'runnable' AND m.created_at + citus_standin.seconds(cfg.start_delay_seconds) <= at_time) THEN
      RETURN 0;
    END IF;
    cfg.monitor_max_executors := least(citus_standin.setting_int('citus.max_background_task_executors', 1, 1, 1000),
                                       greatest(current_setting('max_worker_processes')::int - 2, 1));
    UPDATE citus_standin.settings SET monitor_max_executors = cfg.monitor_max_executors;
  END IF;
  per_node := citus_standin.setting_int('citus.max_background_task_executors_per_node', 1, 1, 128);
  SELECT count(*) INTO running FROM pg_catalog.pg_dist_background_task WHERE status IN ('running', 'cancelling');

  FOR candidate IN SELECT t.task_id, t.nodes_involved FROM pg_catalog.pg_dist_background_task t
                   JOIN citus_standin.job_meta m USING (job_id)
                   WHERE t.status = 'runnable' AND (t.not_before IS NULL OR t.not_before <= at_time)
                     AND m.created_at + citus_standin.seconds(cfg.start_delay_seconds) <= at_time
                   ORDER BY t.task_id LOOP
    EXIT WHEN running >= cfg.monitor_max_executors;
    CONTINUE WHEN citus_standin.has_unmet_dependencies(candidate.task_id);
    CONTINUE WHEN EXISTS (
      SELECT 1 FROM unnest(candidate.nodes_involved) AS node
      WHERE (SELECT count(*) FROM pg_catalog.pg_dist_background_task busy
             WHERE busy.status IN ('running', 'cancelling') AND node = ANY (busy.nodes_involved)) >= per_node);
    PERFORM citus_standin.start_task(candidate.task_id, at_time);
    running := running + 1;
    started := started + 1;
  END LOOP;
  RETURN started;
END $$;

-- The next instant after at_time at which something can happen.
CREATE FUNCTION citus_standin.next_event_after(at_time timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT min(event) FROM (
    SELECT w.attempt_started_at + citus_standin.seconds(coalesce(w.attempt_fails_after_seconds, w.attempt_total_seconds))
    FROM pg_catalog.pg_dist_background_task t JOIN citus_standin.task_work w USING (task_id) WHERE t.status = 'running'
    UNION ALL
    SELECT w.cancel_requested_at + citus_standin.seconds(s.cancel_delay_seconds)
    FROM pg_catalog.pg_dist_background_task t JOIN citus_standin.task_work w USING (task_id), citus_standin.settings s
    WHERE t.status = 'cancelling'
    UNION ALL
    SELECT t.not_before FROM pg_catalog.pg_dist_background_task t WHERE t.status = 'runnable'
    UNION ALL
    SELECT m.created_at + citus_standin.seconds(s.start_delay_seconds)
    FROM citus_standin.job_meta m, citus_standin.settings s
    WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_dist_background_task t WHERE t.job_id = m.job_id AND t.status = 'runnable')
  ) AS events(event)
  WHERE event > at_time
$$;

-- Runs the simulation from the clock up to `target`, event by event.
CREATE FUNCTION citus_standin.simulate_until(target timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  at_time timestamptz := citus_standin.clock();
  next_time timestamptz;
  steps int := 0;
BEGIN
  LOOP
    LOOP  -- settle at at_time: ending tasks frees slots, starting tasks may end at once (unreachable node)
      steps := steps + 1;
      IF steps > 100000 THEN
        RAISE EXCEPTION 'citus stand-in: the simulation did not settle at % (internal error)', at_time;
      END IF;
      UPDATE citus_standin.settings SET clock = at_time;
      EXIT WHEN citus_standin.process_due(at_time) + citus_standin.schedule(at_time) = 0;
    END LOOP;
    next_time := citus_standin.next_event_after(at_time);
    EXIT WHEN next_time IS NULL OR next_time > target;
    at_time := next_time;
  END LOOP;
  UPDATE citus_standin.settings SET clock = greatest(target, at_time);
END $$;

-- Serialises everything that changes the simulation (per database) and, in wall-clock mode, first runs it up to now.
CREATE FUNCTION citus_standin.lock_and_catch_up() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(2054091, 1);
  PERFORM citus_standin.notice_restart();
  IF (SELECT progress_mode FROM citus_standin.settings) = 'wall-clock' THEN
    PERFORM citus_standin.simulate_until(clock_timestamp());
  END IF;
END $$;

-- Called by every reading function. Wall-clock mode only; skipped in read-only transactions and while another
-- session is advancing the simulation (that session's progress becomes visible when it commits).
CREATE FUNCTION citus_standin.catch_up() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_read_only') = 'on' OR NOT pg_try_advisory_xact_lock(2054091, 1) THEN
    RETURN;
  END IF;
  PERFORM citus_standin.notice_restart();
  IF (SELECT progress_mode FROM citus_standin.settings) = 'wall-clock' THEN
    PERFORM citus_standin.simulate_until(clock_timestamp());
  END IF;
END $$;

-- Reference "Observed faults": after a coordinator restart or crash mid-move, the running task is marked failed and
-- retried; the job resumes by itself. The first stand-in call after the server restarted fails every attempt that
-- was in flight, as of the simulation clock. APPROXIMATION: the message text is not in the reference.
CREATE FUNCTION citus_standin.notice_restart() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  now_at timestamptz;
BEGIN
  IF (SELECT server_started_at FROM citus_standin.settings) >= pg_postmaster_start_time() THEN
    RETURN;
  END IF;
  UPDATE citus_standin.settings SET server_started_at = pg_postmaster_start_time();
  now_at := citus_standin.clock();
  UPDATE citus_standin.task_work w
     SET attempt_fails_after_seconds = extract(epoch FROM now_at - w.attempt_started_at),
         attempt_failure_message = 'terminating background worker "Citus Background Task Queue Executor" due to administrator command'
    FROM pg_catalog.pg_dist_background_task t
   WHERE t.task_id = w.task_id AND t.status = 'running';
  PERFORM citus_standin.simulate_until(now_at);
END $$;

-- Reference (observed on Citus 13.2): while a worker is unreachable, or this session's connection to it is stale,
-- reading a job's status fails with SQLSTATE 08006, because the progress part of the status asks every node for its
-- shard sizes. citus_standin.fail_status_reads(times, node) makes the next `times` reads fail that way.
CREATE FUNCTION citus_standin.check_status_read() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  failing citus_standin.settings;
  node pg_catalog.pg_dist_node;
BEGIN
  SELECT * INTO failing FROM citus_standin.settings;
  IF nextval('citus_standin.status_read_seq') > failing.status_reads_fail_until THEN
    RETURN;
  END IF;
  SELECT * INTO node FROM pg_catalog.pg_dist_node WHERE nodeid = failing.status_reads_fail_node;
  RAISE EXCEPTION USING ERRCODE = '08006',
    MESSAGE = format('connection to the remote node postgres@%s:%s failed with the following error: Connection refused',
                     coalesce(node.nodename, 'localhost'), coalesce(node.nodeport, 5433)),
    DETAIL = E'Is the server running on that host and accepting TCP/IP connections?';
END $$;

-- =====================================================================================================================
-- Progress and status (reference "citus_rebalance_status", "get_rebalance_progress").
-- =====================================================================================================================

-- Phase names of get_rebalance_progress().status (reference). APPROXIMATION: Setting Up for setup_seconds, Copying
-- Data for bytes / transfer_bytes_per_second, then the remaining phases share completion_seconds equally (logical
-- transfer: Catching Up, Creating Constraints, Final Catchup, Creating Foreign Keys, Completing; block_writes skips
-- the catch-up phases).
CREATE FUNCTION citus_standin.phase(elapsed double precision, setup double precision, copy double precision,
                                    total double precision, mode citus.shard_transfer_mode)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  finishing text[] := CASE WHEN mode = 'block_writes'
                           THEN ARRAY['Creating Constraints', 'Creating Foreign Keys', 'Completing']
                           ELSE ARRAY['Catching Up', 'Creating Constraints', 'Final Catchup', 'Creating Foreign Keys', 'Completing'] END;
  completion double precision := total - setup - copy;
BEGIN
  IF elapsed < setup THEN
    RETURN 'Setting Up';
  ELSIF elapsed < setup + copy THEN
    RETURN 'Copying Data';
  ELSIF completion <= 0 THEN
    RETURN 'Completing';
  END IF;
  RETURN finishing[least(cardinality(finishing), 1 + floor((elapsed - setup - copy) / completion * cardinality(finishing))::int)];
END $$;

-- Rows of get_rebalance_progress() for every task attempt in flight, as of the simulation clock. One row per shard
-- being moved (colocated shards move together) or per reference shard being copied to a node.
-- APPROXIMATION: LSNs are synthetic: source_lsn grows with the bytes copied; target_lsn is NULL while setting up and
-- copying and trails source_lsn by a shrinking lag afterwards; both are NULL with block_writes.
CREATE FUNCTION citus_standin.rebalance_progress()
RETURNS TABLE (sessionid integer, table_name regclass, shardid bigint, shard_size bigint, sourcename text, sourceport int,
               targetname text, targetport int, progress bigint, source_shard_size bigint, target_shard_size bigint,
               operation_type text, source_lsn pg_lsn, target_lsn pg_lsn, status text)
LANGUAGE sql STABLE AS $$
  WITH attempt AS (
    SELECT t.pid, w.*, extract(epoch FROM s.clock - w.attempt_started_at)::double precision AS elapsed
    FROM pg_catalog.pg_dist_background_task t JOIN citus_standin.task_work w USING (task_id), citus_standin.settings s
    WHERE t.status IN ('running', 'cancelling') AND w.kind <> 'reference_relationships'
  ), measured AS (
    SELECT a.*,
           CASE WHEN a.attempt_copy_seconds <= 0 THEN CASE WHEN a.elapsed >= a.attempt_setup_seconds THEN 1 ELSE 0 END
                ELSE least(greatest((a.elapsed - a.attempt_setup_seconds) / a.attempt_copy_seconds, 0), 1) END AS copied,
           CASE WHEN a.attempt_total_seconds - a.attempt_setup_seconds - a.attempt_copy_seconds <= 0 THEN 1
                ELSE least(greatest((a.elapsed - a.attempt_setup_seconds - a.attempt_copy_seconds)
                                    / (a.attempt_total_seconds - a.attempt_setup_seconds - a.attempt_copy_seconds), 0), 1)
           END AS completed,
           citus_standin.phase(a.elapsed, a.attempt_setup_seconds, a.attempt_copy_seconds, a.attempt_total_seconds,
                               a.transfer_mode) AS phase
    FROM attempt a
  ), shard_rows AS (
    SELECT m.*, c.shardid AS row_shard, c.logicalrelid AS row_table, m.source_nodeid AS row_source,
           m.target_nodeid AS row_target, 'move' AS operation
    FROM measured m CROSS JOIN LATERAL citus_standin.colocated_shards(m.shardid) c
    WHERE m.kind = 'move'
    UNION ALL
    SELECT m.*, r.shardid, r.logicalrelid,
           coalesce(m.source_nodeid, citus_standin.shard_node(r.shardid)), n.node, 'copy'
    FROM measured m
    CROSS JOIN citus_standin.reference_shards() r
    CROSS JOIN LATERAL (SELECT m.target_nodeid AS node WHERE m.kind = 'reference_copy_shard' AND r.shardid = m.shardid
                        UNION ALL
                        SELECT missing FROM citus_standin.nodes_missing_reference_tables() AS missing
                        WHERE m.kind = 'reference_copy') n
    WHERE m.kind IN ('reference_copy', 'reference_copy_shard')
  )
  SELECT sr.pid, sr.row_table, sr.row_shard, coalesce(sz.size_bytes, 0), src.nodename, src.nodeport, tgt.nodename,
         tgt.nodeport, 1::bigint /* REBALANCE_PROGRESS_MOVING */, coalesce(sz.size_bytes, 0),
         round(coalesce(sz.size_bytes, 0) * sr.copied)::bigint, sr.operation,
         CASE WHEN sr.transfer_mode <> 'block_writes'
              THEN '0/3000000'::pg_lsn + round(sr.attempt_bytes * sr.copied)::numeric END,
         CASE WHEN sr.transfer_mode <> 'block_writes' AND sr.copied >= 1
              THEN '0/3000000'::pg_lsn + (sr.attempt_bytes - round(65536 * (1 - sr.completed)))::numeric END,
         sr.phase
  FROM shard_rows sr
  JOIN pg_catalog.pg_dist_node src ON src.nodeid = sr.row_source
  JOIN pg_catalog.pg_dist_node tgt ON tgt.nodeid = sr.row_target
  LEFT JOIN citus_standin.shard_size sz ON sz.shardid = sr.row_shard
  ORDER BY sr.pid, sr.row_table::oid, sr.row_shard
$$;

CREATE FUNCTION pg_catalog.get_rebalance_progress()
RETURNS TABLE (sessionid integer, table_name regclass, shardid bigint, shard_size bigint, sourcename text, sourceport int,
               targetname text, targetport int, progress bigint, source_shard_size bigint, target_shard_size bigint,
               operation_type text, source_lsn pg_lsn, target_lsn pg_lsn, status text)
LANGUAGE sql STRICT AS $$
  SELECT citus_standin.catch_up();
  SELECT * FROM citus_standin.rebalance_progress();
$$;

-- udfs/citus_job_status/latest.sql, verbatim except that it reads citus_standin.rebalance_progress() (the same rows
-- as get_rebalance_progress(), without advancing the wall clock a second time within one status call).
CREATE FUNCTION citus_standin.job_status(job_id bigint, raw boolean DEFAULT FALSE)
    RETURNS TABLE (
            job_id bigint,
            state pg_catalog.citus_job_status,
            job_type name,
            description text,
            started_at timestamptz,
            finished_at timestamptz,
            details jsonb
    )
    LANGUAGE SQL
    STRICT
    AS $fn$
    WITH rp AS MATERIALIZED (
        SELECT
            sessionid,
            sum(source_shard_size) as source_shard_size,
            sum(target_shard_size) as target_shard_size,
            any_value(status) as status,
            any_value(sourcename) as sourcename,
            any_value(sourceport) as sourceport,
            any_value(targetname) as targetname,
            any_value(targetport) as targetport,
            max(source_lsn) as source_lsn,
            min(target_lsn) as target_lsn
        FROM citus_standin.rebalance_progress()
        GROUP BY sessionid
    ),
    task_state_occurence_counts AS (
        SELECT t.status, count(task_id)
        FROM pg_dist_background_job j
            JOIN pg_dist_background_task t ON t.job_id = j.job_id
        WHERE j.job_id = $1
        GROUP BY t.status
    ),
    running_task_details AS (
        SELECT jsonb_agg(jsonb_build_object(
                'state', t.status,
                'retried', coalesce(t.retry_count,0),
                'phase', rp.status,
                'size' , jsonb_build_object(
                    'source', rp.source_shard_size,
                    'target', rp.target_shard_size),
                'hosts', jsonb_build_object(
                    'source', rp.sourcename || ':' || rp.sourceport,
                    'target', rp.targetname || ':' || rp.targetport),
                'message', t.message,
                'command', t.command,
                'task_id', t.task_id ) ||
            CASE
                WHEN ($2) THEN jsonb_build_object(
                    'size', jsonb_build_object(
                        'source', rp.source_shard_size,
                        'target', rp.target_shard_size),
                    'LSN', jsonb_build_object(
                        'source', rp.source_lsn,
                        'target', rp.target_lsn,
                        'lag', rp.source_lsn - rp.target_lsn))
                ELSE jsonb_build_object(
                    'size', jsonb_build_object(
                        'source', pg_size_pretty(rp.source_shard_size),
                        'target', pg_size_pretty(rp.target_shard_size)),
                    'LSN', jsonb_build_object(
                        'source', rp.source_lsn,
                        'target', rp.target_lsn,
                        'lag', pg_size_pretty(rp.source_lsn - rp.target_lsn)))
            END) AS tasks
        FROM
            rp JOIN pg_dist_background_task t ON rp.sessionid = t.pid
            JOIN pg_dist_background_job j ON t.job_id = j.job_id
        WHERE j.job_id = $1
            AND t.status = 'running'
    ),
    errored_or_retried_task_details AS (
        SELECT jsonb_agg(jsonb_build_object(
                'state', t.status,
                'retried', coalesce(t.retry_count,0),
                'message', t.message,
                'command', t.command,
                'task_id', t.task_id )) AS tasks
        FROM
            pg_dist_background_task t JOIN pg_dist_background_job j ON t.job_id = j.job_id
        WHERE j.job_id = $1
            AND NOT EXISTS (SELECT 1 FROM rp WHERE rp.sessionid = t.pid)
            AND (t.status = 'error' OR (t.status = 'runnable' AND t.retry_count > 0))
    )
    SELECT
        job_id,
        state,
        job_type,
        description,
        started_at,
        finished_at,
        jsonb_build_object(
            'task_state_counts', (SELECT jsonb_object_agg(status, count) FROM task_state_occurence_counts),
            'tasks', (COALESCE((SELECT tasks FROM running_task_details),'[]'::jsonb) ||
                      COALESCE((SELECT tasks FROM errored_or_retried_task_details),'[]'::jsonb))) AS details
    FROM pg_dist_background_job j
    WHERE j.job_id = $1
$fn$;

CREATE FUNCTION pg_catalog.citus_job_status(job_id bigint, raw boolean DEFAULT FALSE)
RETURNS TABLE (job_id bigint, state pg_catalog.citus_job_status, job_type name, description text,
               started_at timestamptz, finished_at timestamptz, details jsonb)
LANGUAGE sql STRICT AS $$
  SELECT citus_standin.check_status_read();
  SELECT citus_standin.catch_up();
  SELECT * FROM citus_standin.job_status($1, $2);
$$;

-- udfs/citus_rebalance_status/latest.sql, verbatim: the latest rebalance job in any state.
CREATE FUNCTION pg_catalog.citus_rebalance_status (
    raw boolean DEFAULT FALSE
)
    RETURNS TABLE (
            job_id bigint,
            state pg_catalog.citus_job_status,
            job_type name,
            description text,
            started_at timestamptz,
            finished_at timestamptz,
            details jsonb
)
    LANGUAGE SQL
    STRICT
    AS $fn$
    SELECT
        job_status.*
    FROM
        pg_dist_background_job j,
        citus_job_status (j.job_id, $1) job_status
    WHERE
        j.job_id IN (
            SELECT job_id
            FROM pg_dist_background_job
            WHERE job_type = 'rebalance'
            ORDER BY job_id DESC
            LIMIT 1
        );
$fn$;

-- udfs/citus_job_list/latest.sql
CREATE FUNCTION pg_catalog.citus_job_list ()
RETURNS TABLE (job_id bigint, state pg_catalog.citus_job_status, job_type name, description text,
               started_at timestamptz, finished_at timestamptz)
LANGUAGE sql AS $fn$
  SELECT citus_standin.catch_up();
  SELECT job_id, state, job_type, description, started_at, finished_at FROM pg_dist_background_job ORDER BY job_id;
$fn$;

-- =====================================================================================================================
-- Starting, stopping and waiting (reference "citus_rebalance_start/stop/wait", "Jobs in general").
-- =====================================================================================================================

-- HasNonTerminalJobOfType: looks for running, cancelling, failing, then scheduled jobs.
CREATE FUNCTION citus_standin.non_terminal_job(type name) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT j.job_id FROM pg_catalog.pg_dist_background_job j
  WHERE j.job_type = type AND j.state IN ('running', 'cancelling', 'failing', 'scheduled')
  ORDER BY array_position(ARRAY['running', 'cancelling', 'failing', 'scheduled']::citus_job_status[], j.state), j.job_id
  LIMIT 1
$$;

-- ScheduleBackgroundTask: blocked when it has dependencies, runnable otherwise; nodes_involved NULL when empty.
CREATE FUNCTION citus_standin.schedule_task(job bigint, command text, depends_on bigint[], nodes int[], kind text,
  shard bigint, source_node int, target_node int, mode citus.shard_transfer_mode)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  task bigint;
BEGIN
  INSERT INTO pg_catalog.pg_dist_background_task (job_id, status, command, nodes_involved)
  VALUES (job, CASE WHEN cardinality(depends_on) > 0 THEN 'blocked' ELSE 'runnable' END::citus_task_status, command,
          nullif(nodes, '{}'))
  RETURNING task_id INTO task;
  INSERT INTO pg_catalog.pg_dist_background_task_depend (job_id, task_id, depends_on)
  SELECT job, task, d FROM unnest(depends_on) AS d;
  INSERT INTO citus_standin.task_work (task_id, kind, shardid, source_nodeid, target_nodeid, transfer_mode)
  VALUES (task, kind, shard, source_node, target_node, mode);
  RETURN task;
END $$;

-- VerifyTablesHaveReplicaIdentity / RelationCanPublishAllModifications (shard_transfer.c): REPLICA IDENTITY FULL, a
-- replica identity index (the primary key by default, or USING INDEX), or a partitioned table.
CREATE FUNCTION citus_standin.verify_replica_identity(relations regclass[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  rel regclass;
BEGIN
  FOREACH rel IN ARRAY relations LOOP
    CONTINUE WHEN EXISTS (
      SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rel
        AND (c.relreplident = 'f' OR c.relkind = 'p'
             OR (c.relreplident = 'd' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = rel AND i.indisprimary))
             OR (c.relreplident = 'i' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = rel AND i.indisreplident))));
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
      MESSAGE = format('cannot use logical replication to transfer shards of the relation %s since it doesn''t have a REPLICA IDENTITY or PRIMARY KEY',
                       (SELECT relname FROM pg_catalog.pg_class WHERE oid = rel)),
      DETAIL = 'UPDATE and DELETE commands on the shard will error out during logical replication unless there is a REPLICA IDENTITY or PRIMARY KEY.',
      HINT = 'If you wish to continue without a replica identity set the shard_transfer_mode to ''force_logical'' or ''block_writes''.';
  END LOOP;
END $$;

-- citus_rebalance_start + RebalanceTableShardsBackground (shard_rebalancer.c), step by step.
CREATE FUNCTION pg_catalog.citus_rebalance_start(
    rebalance_strategy name DEFAULT NULL,
    drain_only boolean DEFAULT false,
    shard_transfer_mode citus.shard_transfer_mode DEFAULT 'auto',
    parallel_transfer_reference_tables boolean DEFAULT false,
    parallel_transfer_colocated_shards boolean DEFAULT false)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_variable
DECLARE
  strategy pg_catalog.pg_dist_rebalance_strategy;
  first_relation regclass;
  running_job bigint;
  step_shards bigint[];
  step_sources int[];
  step_targets int[];
  step_count int;
  i int;
  job bigint;
  clock timestamptz;
  ref_depends bigint[] := '{}';
  node_tasks bigint[];
  missing int;
  ref record;
  ref_source int;
  task bigint;
  depends bigint[];
  colocation int;
  last_in_colocation jsonb := '{}';  -- colocation id -> last move task (sequential colocated moves)
  moves_from_node jsonb := '{}';     -- source node id -> move tasks that empty it
BEGIN
  PERFORM citus_standin.lock_and_catch_up();
  clock := citus_standin.clock();
  strategy := citus_standin.strategy(rebalance_strategy);
  PERFORM citus_standin.ensure_not_null(drain_only IS NULL, 'drain_only');
  PERFORM citus_standin.ensure_not_null(shard_transfer_mode IS NULL, 'shard_transfer_mode');
  PERFORM citus_standin.ensure_not_null(parallel_transfer_reference_tables IS NULL, 'parallel_transfer_reference_tables');
  PERFORM citus_standin.ensure_not_null(parallel_transfer_colocated_shards IS NULL, 'parallel_transfer_colocated_shards');

  SELECT p.logicalrelid INTO first_relation FROM pg_catalog.pg_dist_partition p WHERE p.partmethod = 'h'
  ORDER BY p.colocationid, p.logicalrelid::oid LIMIT 1;
  IF first_relation IS NULL THEN
    RAISE NOTICE 'No tables to rebalance';
    RETURN NULL;
  END IF;

  -- ErrorOnConcurrentRebalance
  IF (SELECT rebalance_lock_held FROM citus_standin.settings) THEN
    PERFORM citus_standin.citus_error(
      format('could not acquire the lock required to %s %s', CASE WHEN drain_only THEN 'move' ELSE 'rebalance' END,
             (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = first_relation)),
      'It means that either a concurrent shard move or shard copy is happening.',
      'Make sure that the concurrent operation has finished and re-run the command');
  END IF;
  running_job := citus_standin.non_terminal_job('rebalance');
  IF running_job IS NOT NULL THEN
    PERFORM citus_standin.citus_error(format('A rebalance is already running as job %s', running_job),
      'A rebalance was already scheduled as background job',
      'To monitor progress, run: SELECT * FROM citus_rebalance_status();');
  END IF;

  SELECT coalesce(array_agg(r.shardid ORDER BY r.step), '{}'), coalesce(array_agg(r.source_nodeid ORDER BY r.step), '{}'),
         coalesce(array_agg(r.target_nodeid ORDER BY r.step), '{}')
    INTO step_shards, step_sources, step_targets
  FROM citus_standin.rebalance_steps(NULL, strategy.default_threshold, 10000000, '{}', drain_only, strategy,
                                     strategy.improvement_threshold) r;
  step_count := cardinality(step_shards);
  IF step_count = 0 THEN
    RAISE NOTICE 'No moves available for rebalancing';
    RETURN NULL;
  END IF;

  -- reference "In auto transfer mode, every table whose shards move needs a replica identity ... creates no job"
  IF shard_transfer_mode = 'auto' THEN
    PERFORM citus_standin.verify_replica_identity(ARRAY(
      SELECT DISTINCT c.logicalrelid FROM unnest(step_shards) AS s CROSS JOIN LATERAL citus_standin.colocated_shards(s) c));
  END IF;

  INSERT INTO pg_catalog.pg_dist_background_job (job_type, description)
  VALUES ('rebalance', 'Rebalance all colocation groups') RETURNING job_id INTO job;
  INSERT INTO citus_standin.job_meta (job_id, created_at) VALUES (job, clock);

  -- Reference tables first, if a node lacks them (reference "Schedules, as background tasks: first ...").
  IF EXISTS (SELECT citus_standin.nodes_missing_reference_tables()) THEN
    IF shard_transfer_mode = 'auto' THEN
      PERFORM citus_standin.verify_replica_identity(ARRAY(SELECT DISTINCT r.logicalrelid FROM citus_standin.reference_shards() r));
    END IF;
    IF parallel_transfer_reference_tables THEN
      -- ScheduleTasksToParallelCopyReferenceTablesOnAllMissingNodes (reference_table_utils.c): per missing node, one
      -- copy task per reference table, then one task creating their relationships that the moves wait for.
      -- APPROXIMATION: no dependencies between the copies of reference tables linked by foreign keys.
      FOR missing IN SELECT citus_standin.nodes_missing_reference_tables() LOOP
        node_tasks := '{}';
        FOR ref IN SELECT * FROM citus_standin.reference_shards() LOOP
          ref_source := citus_standin.shard_node(ref.shardid);
          task := citus_standin.schedule_task(job,
            format(E'SET LOCAL application_name TO ''citus_rebalancer gpid=%s'';SELECT citus_internal.citus_internal_copy_single_shard_placement(%s,%s,%s,%s,%s)',
                   nextval('citus_standin.gpid_seq'), ref.shardid, ref_source, missing, 3, quote_literal(shard_transfer_mode::text)),
            '{}', ARRAY[ref_source, missing], 'reference_copy_shard', ref.shardid, ref_source, missing, shard_transfer_mode);
          node_tasks := node_tasks || task;
        END LOOP;
        task := citus_standin.schedule_task(job,
          format(E'SET LOCAL application_name TO ''citus_rebalancer gpid=%s'';\nSELECT citus_internal.citus_internal_copy_single_shard_placement(%s,%s,%s,%s,%s)',
                 nextval('citus_standin.gpid_seq'), ref.shardid, ref_source, missing, 4, quote_literal(shard_transfer_mode::text)),
          node_tasks, ARRAY[ref_source, missing], 'reference_relationships', ref.shardid, ref_source, missing, shard_transfer_mode);
        ref_depends := ref_depends || task;
      END LOOP;
    ELSE
      task := citus_standin.schedule_task(job,
        format('SELECT pg_catalog.replicate_reference_tables(%s)', quote_literal(shard_transfer_mode::text)),
        '{}', '{}', 'reference_copy', NULL, NULL, NULL, shard_transfer_mode);
      ref_depends := ARRAY[task];
    END IF;
  END IF;

  -- One task per move (GenerateTaskMoveDependencyList / UpdateShardMoveDependencies).
  FOR i IN 1 .. step_count LOOP
    SELECT p.colocationid INTO colocation FROM pg_catalog.pg_dist_shard sh
    JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid = sh.logicalrelid WHERE sh.shardid = step_shards[i];
    depends := '{}';
    IF NOT parallel_transfer_colocated_shards AND last_in_colocation ? colocation::text THEN
      depends := depends || (last_in_colocation ->> colocation::text)::bigint;
    END IF;
    -- a move waits for earlier moves that take shards off its target node
    depends := depends || ARRAY(SELECT jsonb_array_elements_text(coalesce(moves_from_node -> step_targets[i]::text, '[]'))::bigint);
    depends := ARRAY(SELECT DISTINCT d FROM unnest(depends) AS d ORDER BY d);
    IF cardinality(depends) = 0 THEN
      depends := ref_depends;
    END IF;
    task := citus_standin.schedule_task(job,
      format('SELECT pg_catalog.citus_move_shard_placement(%s,%s,%s,%s)', step_shards[i], step_sources[i],
             step_targets[i], quote_literal(shard_transfer_mode::text)),
      depends, ARRAY[step_sources[i], step_targets[i]], 'move', step_shards[i], step_sources[i],
      step_targets[i], shard_transfer_mode);
    IF NOT parallel_transfer_colocated_shards THEN
      last_in_colocation := last_in_colocation || jsonb_build_object(colocation::text, task);
    END IF;
    moves_from_node := moves_from_node || jsonb_build_object(step_sources[i]::text,
      coalesce(moves_from_node -> step_sources[i]::text, '[]') || to_jsonb(task));
  END LOOP;

  RAISE NOTICE 'Scheduled % moves as job %', step_count, job
    USING DETAIL = 'Rebalance scheduled as background job',
          HINT = 'To monitor progress, run: SELECT * FROM citus_rebalance_status();';
  RETURN job;
END $$;

-- citus_job_cancel / CancelTasksForJob: tasks not yet ended are cancelled; running ones go to 'cancelling' until
-- their executor notices (cancel_delay_seconds later) and rolls the in-flight move back.
CREATE FUNCTION pg_catalog.citus_job_cancel(jobid bigint) RETURNS void
LANGUAGE plpgsql STRICT AS $$
BEGIN
  PERFORM citus_standin.lock_and_catch_up();
  UPDATE citus_standin.task_work w SET cancel_requested_at = citus_standin.clock()
  FROM pg_catalog.pg_dist_background_task t
  WHERE t.task_id = w.task_id AND t.job_id = jobid AND t.status = 'running' AND t.pid IS NOT NULL;
  UPDATE pg_catalog.pg_dist_background_task t
     SET status = CASE WHEN t.status = 'running' AND t.pid IS NOT NULL THEN 'cancelling' ELSE 'cancelled' END::citus_task_status
   WHERE t.job_id = jobid AND t.status NOT IN ('done', 'error', 'unscheduled', 'cancelled');
  PERFORM citus_standin.update_job(jobid, citus_standin.clock());
END $$;

CREATE FUNCTION pg_catalog.citus_rebalance_stop() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  job bigint;
BEGIN
  PERFORM citus_standin.lock_and_catch_up();
  job := citus_standin.non_terminal_job('rebalance');
  IF job IS NULL THEN
    PERFORM citus_standin.citus_error('no ongoing rebalance that can be stopped');
  END IF;
  PERFORM pg_catalog.citus_job_cancel(job);
END $$;

-- Lets time pass until the job reaches `desired` (or any terminal state when NULL); citus_job_wait_internal.
-- Manual mode: jumps from event to event on the simulated clock; raises instead of hanging when nothing can happen
-- any more (e.g. the monitor is stalled), where real Citus would block forever.
-- Wall-clock mode: polls every second like Citus. APPROXIMATION: the waiting call advances the simulation in its own
-- transaction, so other sessions see that progress only after it returns, and stop/cancel from another session wait
-- for it.
CREATE FUNCTION citus_standin.wait_for_job(job bigint, desired citus_job_status, max_seconds double precision)
RETURNS citus_job_status LANGUAGE plpgsql AS $$
DECLARE
  current citus_job_status;
  started timestamptz := clock_timestamp();
  sim_start timestamptz;
  next_time timestamptz;
BEGIN
  IF (SELECT progress_mode FROM citus_standin.settings) = 'manual' THEN
    PERFORM pg_advisory_xact_lock(2054091, 1);
  END IF;
  sim_start := citus_standin.clock();
  LOOP
    PERFORM citus_standin.catch_up();
    SELECT state INTO current FROM pg_catalog.pg_dist_background_job WHERE job_id = job;
    IF NOT FOUND THEN
      PERFORM citus_standin.citus_error(format('no job found for job with jobid: %s', job));
    END IF;
    EXIT WHEN desired IS NOT NULL AND current = desired;
    IF citus_standin.job_is_terminal(current) THEN
      IF desired IS NOT NULL THEN
        PERFORM citus_standin.citus_error(format('Job reached terminal state "%s" instead of desired state "%s"', current, desired));
      END IF;
      EXIT;
    END IF;
    IF (SELECT progress_mode FROM citus_standin.settings) = 'wall-clock' THEN
      IF extract(epoch FROM clock_timestamp() - started) >= max_seconds THEN
        RAISE EXCEPTION 'citus stand-in: job % is still % after % seconds', job, current, max_seconds;
      END IF;
      PERFORM pg_sleep(1);
    ELSE
      next_time := citus_standin.next_event_after(citus_standin.clock());
      IF next_time IS NULL OR extract(epoch FROM next_time - sim_start) > max_seconds THEN
        RAISE EXCEPTION 'citus stand-in: job % is stuck in state % (nothing can happen within % simulated seconds%)', job, current,
          max_seconds, CASE WHEN (SELECT monitor_stalled FROM citus_standin.settings) THEN '; the task monitor is stalled' ELSE '' END;
      END IF;
      PERFORM citus_standin.simulate_until(next_time);
    END IF;
  END LOOP;
  RETURN current;
END $$;

CREATE FUNCTION pg_catalog.citus_job_wait(jobid bigint, desired_status pg_catalog.citus_job_status DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM citus_standin.wait_for_job(jobid, desired_status, 'Infinity');
END $$;

CREATE FUNCTION pg_catalog.citus_rebalance_wait() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  job bigint;
BEGIN
  PERFORM citus_standin.catch_up();
  job := citus_standin.non_terminal_job('rebalance');
  IF job IS NULL THEN
    RAISE WARNING 'no ongoing rebalance that can be waited on';
    RETURN;
  END IF;
  PERFORM citus_standin.wait_for_job(job, NULL, 'Infinity');
END $$;

-- =====================================================================================================================
-- Test-only control API (schema citus_standin). Product SQL never calls these.
-- =====================================================================================================================

-- Creates the coordinator (groupid 0) and the first workers. Reference "Nodes": on Azure every node shows the same
-- address with different ports. APPROXIMATION (reference silent): whether the coordinator holds shards is a
-- parameter; on Azure elastic clusters the coordinator is one of the cluster's data nodes, hence the loader's default.
CREATE FUNCTION citus_standin.setup_cluster(node_name text, coordinator_port int, worker_ports int[],
                                            coordinator_has_shards boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  port int;
BEGIN
  INSERT INTO pg_catalog.pg_dist_node (groupid, nodename, nodeport, hasmetadata, isactive, noderole, metadatasynced,
                                       shouldhaveshards)
  VALUES (0, node_name, coordinator_port, true, true, 'primary', true, coordinator_has_shards);
  FOREACH port IN ARRAY worker_ports LOOP
    PERFORM pg_catalog.citus_add_node(node_name, port);
  END LOOP;
END $$;

-- Simulates the service adding `count` worker nodes (scale-out): same host, next free ports. Returns the node ids.
CREATE FUNCTION citus_standin.add_nodes(count int) RETURNS SETOF int
LANGUAGE plpgsql AS $$
DECLARE
  host text;
  next_port int;
BEGIN
  SELECT nodename, max(nodeport) OVER () + 1 INTO host, next_port FROM pg_catalog.pg_dist_node ORDER BY nodeid LIMIT 1;
  FOR i IN 1 .. count LOOP
    RETURN NEXT pg_catalog.citus_add_node(host, next_port + i - 1);
  END LOOP;
END $$;

-- Registers an existing table as hash-distributed with `shard_count` shards placed round-robin over the nodes that
-- should have shards (like create_distributed_table), or colocated with `colocate_with` (same placements).
CREATE FUNCTION citus_standin.distribute_table(relation regclass, distribution_column text, shard_count int DEFAULT 32,
  colocate_with regclass DEFAULT NULL, shard_size_bytes bigint DEFAULT 25165824)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  colocation int;
  groups int[];
  increment bigint := 4294967296 / shard_count;
  new_shard bigint;
  min_value bigint;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = relation) THEN
    PERFORM citus_standin.citus_error(format('table "%s" is already distributed', relation));
  END IF;
  IF colocate_with IS NOT NULL THEN
    SELECT p.colocationid INTO colocation FROM pg_catalog.pg_dist_partition p
    WHERE p.logicalrelid = colocate_with AND p.partmethod = 'h';
    IF colocation IS NULL OR shard_count <> (SELECT count(*) FROM pg_catalog.pg_dist_shard WHERE logicalrelid = colocate_with) THEN
      RAISE EXCEPTION 'citus_standin.distribute_table: % is not a hash-distributed table with % shards', colocate_with, shard_count;
    END IF;
    SELECT array_agg(pl.groupid ORDER BY s.shardid) INTO groups FROM pg_catalog.pg_dist_shard s
    JOIN pg_catalog.pg_dist_placement pl ON pl.shardid = s.shardid WHERE s.logicalrelid = colocate_with;
  ELSE
    colocation := nextval('citus_standin.colocationid_seq');
    SELECT array_agg(n.groupid ORDER BY n.nodename, n.nodeport) INTO groups FROM pg_catalog.pg_dist_node n
    WHERE n.isactive AND n.noderole = 'primary' AND n.shouldhaveshards;
    IF groups IS NULL THEN
      RAISE EXCEPTION 'citus_standin.distribute_table: no node has shouldhaveshards = true';
    END IF;
    SELECT array_agg(groups[1 + (i % cardinality(groups))] ORDER BY i) INTO groups FROM generate_series(0, shard_count - 1) i;
  END IF;
  INSERT INTO pg_catalog.pg_dist_partition (logicalrelid, partmethod, partkey, colocationid, repmodel)
  VALUES (relation, 'h', distribution_column, colocation, 's');
  FOR i IN 0 .. shard_count - 1 LOOP
    min_value := -2147483648 + i * increment;
    new_shard := nextval('pg_catalog.pg_dist_shardid_seq');
    INSERT INTO pg_catalog.pg_dist_shard (logicalrelid, shardid, shardstorage, shardminvalue, shardmaxvalue)
    VALUES (relation, new_shard, 't', min_value::text,
            CASE WHEN i = shard_count - 1 THEN '2147483647' ELSE (min_value + increment - 1)::text END);
    INSERT INTO pg_catalog.pg_dist_placement (shardid, shardstate, shardlength, groupid) VALUES (new_shard, 1, 0, groups[i + 1]);
    INSERT INTO citus_standin.shard_size (shardid, size_bytes) VALUES (new_shard, shard_size_bytes);
  END LOOP;
END $$;

-- Registers an existing table as a reference table with a placement on every active node.
CREATE FUNCTION citus_standin.create_reference_table(relation regclass, size_bytes bigint DEFAULT 8192)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  new_shard bigint := nextval('pg_catalog.pg_dist_shardid_seq');
  colocation int;
BEGIN
  SELECT p.colocationid INTO colocation FROM pg_catalog.pg_dist_partition p WHERE p.partmethod = 'n' AND p.repmodel = 't' LIMIT 1;
  INSERT INTO pg_catalog.pg_dist_partition (logicalrelid, partmethod, partkey, colocationid, repmodel)
  VALUES (relation, 'n', NULL, coalesce(colocation, nextval('citus_standin.colocationid_seq')::int), 't');
  INSERT INTO pg_catalog.pg_dist_shard (logicalrelid, shardid, shardstorage) VALUES (relation, new_shard, 't');
  INSERT INTO pg_catalog.pg_dist_placement (shardid, shardstate, shardlength, groupid)
  SELECT new_shard, 1, 0, n.groupid FROM pg_catalog.pg_dist_node n WHERE n.isactive AND n.noderole = 'primary';
  INSERT INTO citus_standin.shard_size (shardid, size_bytes) VALUES (new_shard, size_bytes);
END $$;

CREATE FUNCTION citus_standin.set_shard_size(shard bigint, size_bytes bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO citus_standin.shard_size (shardid, size_bytes) VALUES (shard, size_bytes)
  ON CONFLICT (shardid) DO UPDATE SET size_bytes = excluded.size_bytes;
$$;

-- Changes how the simulation runs; NULL keeps a value. Switching to wall-clock first runs the simulation up to now.
CREATE FUNCTION citus_standin.configure(progress_mode text DEFAULT NULL, transfer_bytes_per_second double precision DEFAULT NULL,
  setup_seconds double precision DEFAULT NULL, completion_seconds double precision DEFAULT NULL,
  start_delay_seconds double precision DEFAULT NULL, cancel_delay_seconds double precision DEFAULT NULL)
RETURNS citus_standin.settings LANGUAGE plpgsql AS $$
DECLARE
  result citus_standin.settings;
BEGIN
  PERFORM pg_advisory_xact_lock(2054091, 1);
  IF progress_mode = 'wall-clock' AND citus_standin.clock() < clock_timestamp() THEN
    PERFORM citus_standin.simulate_until(clock_timestamp());
  END IF;
  UPDATE citus_standin.settings s SET
    progress_mode = coalesce(configure.progress_mode, s.progress_mode),
    transfer_bytes_per_second = coalesce(configure.transfer_bytes_per_second, s.transfer_bytes_per_second),
    setup_seconds = coalesce(configure.setup_seconds, s.setup_seconds),
    completion_seconds = coalesce(configure.completion_seconds, s.completion_seconds),
    start_delay_seconds = coalesce(configure.start_delay_seconds, s.start_delay_seconds),
    cancel_delay_seconds = coalesce(configure.cancel_delay_seconds, s.cancel_delay_seconds)
  RETURNING s.* INTO result;
  RETURN result;
END $$;

-- Manual mode: lets `seconds` of simulated time pass (0 just settles the current instant). Returns the new clock.
CREATE FUNCTION citus_standin.advance(seconds double precision) RETURNS timestamptz
LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT progress_mode FROM citus_standin.settings) <> 'manual' THEN
    RAISE EXCEPTION 'citus_standin.advance: the stand-in runs in wall-clock mode; time passes by itself';
  END IF;
  IF seconds < 0 THEN
    RAISE EXCEPTION 'citus_standin.advance: seconds must not be negative (got %)', seconds;
  END IF;
  PERFORM pg_advisory_xact_lock(2054091, 1);
  PERFORM citus_standin.notice_restart();
  PERFORM citus_standin.simulate_until(citus_standin.clock() + citus_standin.seconds(seconds));
  RETURN citus_standin.clock();
END $$;

-- Lets time pass until the job (default: the latest rebalance job) is terminal; returns its final state. Raises when
-- nothing can happen any more or after max_seconds (simulated in manual mode, real in wall-clock mode).
CREATE FUNCTION citus_standin.run_until_terminal(job bigint DEFAULT NULL, max_seconds double precision DEFAULT 86400)
RETURNS citus_job_status LANGUAGE plpgsql AS $$
BEGIN
  job := coalesce(job, (SELECT max(job_id) FROM pg_catalog.pg_dist_background_job WHERE job_type = 'rebalance'));
  IF job IS NULL THEN
    RAISE EXCEPTION 'citus_standin.run_until_terminal: there is no rebalance job';
  END IF;
  RETURN citus_standin.wait_for_job(job, NULL, max_seconds);
END $$;

-- The next `times` attempts of the task fail half way through copying (-1: every attempt, so the task ends in
-- 'error' after its 32 retries). Default message: the reference's observed fault for a stopped worker.
CREATE FUNCTION citus_standin.fail_task(task bigint, times int DEFAULT 1, message text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_background_task WHERE task_id = task) THEN
    RAISE EXCEPTION 'citus_standin.fail_task: there is no task %', task;
  END IF;
  INSERT INTO citus_standin.task_fault (task_id, remaining, message)
  SELECT task, times, coalesce(fail_task.message, (SELECT format('Could not fetch disk stats for node: %s-%s', n.nodename, n.nodeport)
                                         FROM citus_standin.task_work w
                                         JOIN pg_catalog.pg_dist_node n ON n.nodeid = coalesce(w.target_nodeid, w.source_nodeid, 1)
                                         WHERE w.task_id = task),
                                        'Could not fetch disk stats for node')
  ON CONFLICT (task_id) DO UPDATE SET remaining = excluded.remaining, message = excluded.message;
END $$;

-- Stops (false) or restarts (true) a node. Moves in flight that involve it fail now with a connection error; later
-- attempts fail at once with "Could not fetch disk stats for node: host-port" until it is back (reference
-- "Observed faults"). APPROXIMATION: the connection error text follows Citus's format, libpq's part is invented.
CREATE FUNCTION citus_standin.set_node_reachable(node int, reachable boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  now_at timestamptz;
BEGIN
  PERFORM citus_standin.lock_and_catch_up();
  now_at := citus_standin.clock();
  IF reachable THEN
    DELETE FROM citus_standin.unreachable_node WHERE nodeid = node;
    RETURN;
  END IF;
  INSERT INTO citus_standin.unreachable_node (nodeid) VALUES (node) ON CONFLICT DO NOTHING;
  UPDATE citus_standin.task_work w
     SET attempt_fails_after_seconds = extract(epoch FROM now_at - w.attempt_started_at),
         attempt_failure_message = (SELECT format('connection to the remote node postgres@%s:%s failed with the following error: Connection refused',
                                                  n.nodename, n.nodeport) FROM pg_catalog.pg_dist_node n WHERE n.nodeid = node)
    FROM pg_catalog.pg_dist_background_task t
   WHERE t.task_id = w.task_id AND t.status = 'running'
     AND (node IN (w.source_nodeid, w.target_nodeid) OR w.kind = 'reference_copy');
  PERFORM citus_standin.simulate_until(now_at);
END $$;

-- Coordinator restart or crash mid-move (reference "Observed faults"): every running attempt fails now and is
-- retried with the usual backoff. APPROXIMATION: the message text is not in the reference.
CREATE FUNCTION citus_standin.interrupt_running_tasks(
  message text DEFAULT 'terminating connection due to administrator command') RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  now_at timestamptz;
  interrupted int;
BEGIN
  PERFORM citus_standin.lock_and_catch_up();
  now_at := citus_standin.clock();
  UPDATE citus_standin.task_work w
     SET attempt_fails_after_seconds = extract(epoch FROM now_at - w.attempt_started_at),
         attempt_failure_message = interrupt_running_tasks.message
    FROM pg_catalog.pg_dist_background_task t
   WHERE t.task_id = w.task_id AND t.status = 'running';
  GET DIAGNOSTICS interrupted = ROW_COUNT;
  PERFORM citus_standin.simulate_until(now_at);
  RETURN interrupted;
END $$;

-- Reference "States": "Jobs stuck in scheduled have been reported upstream". While stalled, no task starts.
CREATE FUNCTION citus_standin.stall_monitor(stalled boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM citus_standin.lock_and_catch_up();
  UPDATE citus_standin.settings SET monitor_stalled = stalled;
END $$;

-- Reference: "While a foreground rebalance (rebalance_table_shards) holds the lock: ERROR could not acquire the lock
-- required to rebalance ...".
CREATE FUNCTION citus_standin.hold_rebalance_lock(held boolean DEFAULT true) RETURNS void
LANGUAGE sql AS $$ UPDATE citus_standin.settings SET rebalance_lock_held = held $$;

-- The next `times` status reads (citus_job_status, citus_rebalance_status) fail with SQLSTATE 08006 naming `node`,
-- as on Citus while that worker is unreachable (see citus_standin.check_status_read).
CREATE FUNCTION citus_standin.fail_status_reads(times int, node int) RETURNS void
LANGUAGE sql AS $$
  UPDATE citus_standin.settings
     SET status_reads_fail_until = (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM citus_standin.status_read_seq) + times,
         status_reads_fail_node = node
$$;

-- Makes this database answer as a worker node does (citus_is_coordinator() false), or as the coordinator again.
CREATE FUNCTION citus_standin.act_as_worker(worker boolean DEFAULT true) RETURNS void
LANGUAGE sql AS $$ UPDATE citus_standin.settings SET is_coordinator = NOT worker $$;
