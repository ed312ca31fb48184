// The operators' dashboard: polls the operator API, draws each target, and acts through the same API.
// Plain browser JavaScript, no framework and no external asset (the page runs under a strict CSP).
(() => {
  'use strict';

  const POLL_MS = 2000;
  const DECISIONS = 50;
  const HISTORY_POINTS = 240;
  const SVG = 'http://www.w3.org/2000/svg';
  // The kind's name and unit come with each target's status (from the kind registry).
  const unitOf = (target) => target.unit || 'units';

  const functionKey = new URLSearchParams(window.location.search).get('code') || '';
  const apiBase = window.location.pathname.replace(/\/dashboard\/?$/i, '');
  const views = new Map();
  const histories = new Map();
  const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

  class ApiProblem extends Error {
    constructor(status, body) {
      super(problemText(status, body));
      this.status = status;
    }
  }

  function problemText(status, body) {
    if (body && typeof body.detail === 'string') return `${body.title || 'Request failed'} (${status}): ${body.detail}`;
    if (status === 401)
      return 'Unauthorized (401): the function key is missing or wrong; open the dashboard with ?code=<function key>';
    if (status === 403)
      return 'Forbidden (403): the token lacks the role this needs; paste a token with the reader or operator role';
    return `Request failed (${status})`;
  }

  async function api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (functionKey) headers['x-functions-key'] = functionKey;
    const token = window.sessionStorage.getItem('scaler.token');
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(apiBase + path, {
      method,
      headers,
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data = parseJson(text);
    if (!response.ok) throw new ApiProblem(response.status, data);
    return data;
  }

  function parseJson(text) {
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      return {};
    }
  }

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'text') node.textContent = value;
      else if (value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function svg(tag, attributes = {}) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, String(value));
    }
    return node;
  }

  /** Where the problem shown came from: a failed poll clears itself on the next good one, an action's stays until the next action. */
  let problemSource = '';

  function showProblem(message, source = 'action') {
    const banner = document.getElementById('problem');
    banner.textContent = message;
    banner.hidden = !message;
    problemSource = message ? source : '';
  }

  const formatNumber = (value) => (value === null || value === undefined ? '-' : numberFormat.format(value));
  const formatTime = (iso) => (iso ? iso.slice(11, 16) : '-');
  const formatDuration = (seconds) => {
    if (!Number.isFinite(seconds) || seconds <= 0) return '0 min';
    return seconds >= 3600 ? `${formatNumber(seconds / 3600)} h` : `${formatNumber(Math.ceil(seconds / 60))} min`;
  };
  const formatBytes = (bytes) => {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${formatNumber(value)} ${units[unit]}`;
  };

  // ---- one section per target, built once so that what an operator types survives the next poll ----

  function targetView(target) {
    const name = target.name;
    const section = element('section', { class: 'target', 'data-target': name });
    const heading = element('h2', { text: name });
    const kind = element('span', {
      class: 'kind',
      text: `${target.kindName || target.kind} · ${target.mode} mode`,
    });
    const capacity = element('div', { class: 'capacity', 'data-field': 'capacity' });
    const schedule = element('p', { class: 'schedule muted', 'data-field': 'schedule' });
    const badges = element('div', { class: 'badges', 'data-field': 'badges' });
    const chart = element('div', { class: 'chart', 'data-field': 'chart' });
    const operation = element('div', { class: 'operation', 'data-field': 'operation' });
    const decisions = element('table', { class: 'decisions', 'data-field': 'decisions' });
    const result = element('p', { class: 'result', 'data-field': 'result', role: 'status' });

    const capacityInput = element('input', {
      type: 'number',
      min: 1,
      name: 'capacity',
      'aria-label': 'capacity',
      value: target.capacity.live ?? '',
    });
    const reasonInput = element('input', {
      type: 'text',
      name: 'reason',
      placeholder: 'reason (required to pause)',
      'aria-label': 'reason',
    });
    const dryRunInput = element('input', { type: 'checkbox', name: 'dryRun', checked: true });
    const scaleButton = element('button', { type: 'button', 'data-action': 'scale', text: 'Scale to' });
    const pauseButton = element('button', { type: 'button', 'data-action': 'pause', text: 'Pause' });
    const resumeButton = element('button', { type: 'button', 'data-action': 'resume', text: 'Resume' });
    const actions = element(
      'div',
      { class: 'actions' },
      scaleButton,
      capacityInput,
      element('label', {}, dryRunInput, ' dry run'),
      reasonInput,
      pauseButton,
      resumeButton,
    );

    const act = async (run) => {
      try {
        const message = await run();
        showProblem('');
        // Say it is done once the page shows the new state.
        await refresh();
        result.textContent = message;
      } catch (error) {
        result.textContent = '';
        showProblem(error.message);
      }
    };
    const reason = () => reasonInput.value.trim() || undefined;
    scaleButton.addEventListener('click', () =>
      act(async () => {
        const body = {
          capacity: Number(capacityInput.value),
          reason: reason() || 'requested on the dashboard',
          dryRun: dryRunInput.checked,
        };
        const answer = await api('POST', `/targets/${encodeURIComponent(name)}/scale`, body);
        const decision = answer.decision || {};
        const verb = answer.dryRun ? (answer.wouldAct ? 'Dry run: would' : 'Dry run: would not act,') : 'Accepted:';
        return `${verb} ${decision.action} ${decision.from} → ${decision.to} (${decision.reason}): ${decision.message}`;
      }),
    );
    pauseButton.addEventListener('click', () =>
      act(async () => {
        await api('POST', `/targets/${encodeURIComponent(name)}/pause`, { reason: reason() });
        return `Paused ${name}`;
      }),
    );
    resumeButton.addEventListener('click', () =>
      act(async () => {
        await api('POST', `/targets/${encodeURIComponent(name)}/resume`, reason() ? { reason: reason() } : undefined);
        return `Resumed ${name}`;
      }),
    );

    section.append(
      element('header', {}, heading, kind, capacity),
      schedule,
      badges,
      chart,
      operation,
      actions,
      result,
      element('h3', { text: 'Recent decisions' }),
      decisions,
    );
    return { section, fields: { capacity, schedule, badges, chart, operation, decisions } };
  }

  function renderCapacity(node, target) {
    const unit = unitOf(target);
    const live = target.capacity.live;
    const requested = target.capacity.requested;
    const parts = [
      element('span', { class: 'number', 'data-field': 'live-capacity', text: live === null ? '?' : String(live) }),
      element('span', { class: 'unit', text: ` ${unit}` }),
      requested !== null && requested !== live
        ? element('span', { class: 'requested', 'data-field': 'requested-capacity', text: ` → ${requested}` })
        : null,
      element('span', { class: 'limits muted', text: ` (limits ${target.limits.min}–${target.limits.max})` }),
    ];
    node.replaceChildren(...parts.filter((part) => part !== null));
  }

  /** One line: the schedule profile in force and the next transition (nothing for a target without profiles). */
  function renderSchedule(node, target) {
    const schedule = target.schedule;
    if (!schedule || schedule.profiles.length === 0) {
      node.replaceChildren();
      return;
    }
    const holds =
      schedule.instanceCount === undefined
        ? `${schedule.mode} mode, limits ${schedule.limits.min}–${schedule.limits.max}`
        : `holds ${schedule.instanceCount}`;
    const next = schedule.next
      ? `; ${schedule.next.profile} from ${schedule.next.at.slice(0, 10)} ${formatTime(schedule.next.at)} UTC`
      : '; no change scheduled';
    node.replaceChildren(
      element('span', { title: schedule.why, text: `Profile ${schedule.name} (${schedule.kind}, ${holds})${next}` }),
    );
  }

  function renderBadges(node, target) {
    const badges = [];
    if (target.dryRun) badges.push(['dry run', 'info']);
    if (target.paused.scaleOut) badges.push(['scale-out paused', 'warn']);
    if (target.paused.scaleIn) badges.push(['scale-in paused', 'warn']);
    if (target.cooldown.scaleOutRemainingSeconds > 0)
      badges.push([`scale-out cooldown ${formatDuration(target.cooldown.scaleOutRemainingSeconds)}`, 'info']);
    if (target.cooldown.scaleInRemainingSeconds > 0)
      badges.push([`scale-in cooldown ${formatDuration(target.cooldown.scaleInRemainingSeconds)}`, 'info']);
    if (target.live.error) badges.push([`ARM unreadable: ${target.live.error.message}`, 'bad']);
    else if (target.live.status) badges.push([`ARM ${target.live.status}`, 'plain']);
    node.replaceChildren(...badges.map(([text, tone]) => element('span', { class: `badge ${tone}`, text })));
  }

  function renderDecisions(node, target) {
    const head = element(
      'tr',
      {},
      ...['time', 'trigger', 'action', 'reason', 'message'].map((text) => element('th', { text })),
    );
    const rows = target.lastDecisions.slice(0, 8).map((decision) =>
      element(
        'tr',
        { class: decision.action === 'none' ? 'quiet' : 'acted' },
        element('td', { text: formatTime(decision.decidedAt) }),
        element('td', { text: decision.trigger }),
        element('td', {
          text:
            decision.action === 'none'
              ? `hold ${decision.from}`
              : `${decision.action} ${decision.from} → ${decision.to}`,
        }),
        element('td', {}, element('code', { text: decision.reason })),
        element('td', { text: decision.message }),
      ),
    );
    node.replaceChildren(element('thead', {}, head), element('tbody', {}, ...rows));
  }

  async function renderOperation(node, target) {
    const operation = target.operationInProgress;
    if (!operation) {
      node.replaceChildren(element('p', { class: 'muted', text: 'No operation in progress.' }));
      return;
    }
    const lines = [
      element('p', {
        text: `Operation ${operation.direction === 'out' ? 'scale-out' : 'scale-in'} ${operation.from} → ${operation.to}: ${operation.status} since ${formatTime(operation.startedAt)} (${operation.trigger})`,
      }),
    ];
    const details = await api('GET', `/operations/${encodeURIComponent(operation.id)}`).catch(() => undefined);
    const progress = details && details.followUp ? details.followUp.progress : undefined;
    if (progress) lines.push(element('p', { class: 'muted', text: `Follow-up: ${progress.phase}` }));
    const rebalance = progress && progress.rebalance;
    if (rebalance) {
      lines.push(element('progress', { max: 100, value: rebalance.percent, 'aria-label': 'rebalance progress' }));
      // The scaler's own record of the start shares a clock with checkedAt; the job's startedAt is the database's.
      const startedAt = (progress.rebalanceStart && progress.rebalanceStart.at) || rebalance.startedAt;
      lines.push(
        element('p', {
          'data-field': 'rebalance',
          text: `Rebalance job ${rebalance.jobId} ${rebalance.state}: ${rebalance.moves.done} of ${rebalance.moves.total} moves, ${formatBytes(rebalance.bytes.moved)} of ${formatBytes(rebalance.bytes.total)} (${formatNumber(rebalance.percent)} %), ETA ${eta(rebalance, startedAt)}`,
        }),
      );
    }
    node.replaceChildren(...lines);
  }

  /** Time left at the speed the job moved bytes so far (cluster time). */
  function eta(rebalance, startedAt) {
    const started = Date.parse(startedAt || '');
    const checked = Date.parse(rebalance.checkedAt || '');
    const moved = rebalance.bytes.moved;
    if (!(checked > started) || moved <= 0) return 'unknown';
    const bytesPerSecond = moved / ((checked - started) / 1000);
    return formatDuration((rebalance.bytes.total - moved) / bytesPerSecond);
  }

  // ---- capacity over time, against the metric and thresholds the rules read ----

  function remember(target) {
    const history = histories.get(target.name) || new Map();
    for (const decision of target.lastDecisions) {
      if (!decision.id || history.has(decision.id)) continue;
      const signal =
        (decision.signals || []).find((candidate) => candidate.value !== null) || (decision.signals || [])[0];
      // `from` is the live capacity when the decision was made; `to` is only what it asked for.
      history.set(decision.id, {
        at: Date.parse(decision.decidedAt),
        capacity: decision.from,
        metric: signal ? signal.value : null,
        metricName: signal ? signal.metric : undefined,
        signals: decision.signals || [],
      });
    }
    const points = [...history.entries()].sort(([, a], [, b]) => a.at - b.at);
    for (const [id] of points.slice(0, Math.max(0, points.length - HISTORY_POINTS))) history.delete(id);
    histories.set(target.name, history);
    return points.slice(-HISTORY_POINTS).map(([, point]) => point);
  }

  function renderChart(node, target, points) {
    const width = 640;
    const height = 200;
    const pad = { left: 44, right: 44, top: 22, bottom: 28 };
    const chart = svg('svg', {
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `${target.name}: capacity and metrics over time`,
    });
    if (points.length < 2) {
      chart.append(
        svg('text', {
          x: width / 2,
          y: height / 2,
          'text-anchor': 'middle',
          class: 'axis-label',
          text: 'Waiting for decisions ...',
        }),
      );
      node.replaceChildren(chart);
      return;
    }
    const t0 = points[0].at;
    const t1 = points[points.length - 1].at;
    const capacityMax = Math.max(target.limits.max, ...points.map((point) => point.capacity));
    const x = (at) => pad.left + ((at - t0) / Math.max(1, t1 - t0)) * (width - pad.left - pad.right);
    const yCapacity = (value) => height - pad.bottom - (value / capacityMax) * (height - pad.top - pad.bottom);
    const yPercent = (value) => height - pad.bottom - (Math.min(100, value) / 100) * (height - pad.top - pad.bottom);

    for (const tick of [0, Math.round(capacityMax / 2), capacityMax]) {
      chart.append(
        svg('line', { x1: pad.left, x2: width - pad.right, y1: yCapacity(tick), y2: yCapacity(tick), class: 'grid' }),
      );
      chart.append(
        svg('text', {
          x: pad.left - 6,
          y: yCapacity(tick) + 4,
          'text-anchor': 'end',
          class: 'axis-label',
          text: formatNumber(tick),
        }),
      );
    }
    for (const tick of [0, 50, 100])
      chart.append(
        svg('text', { x: width - pad.right + 6, y: yPercent(tick) + 4, class: 'axis-label', text: `${tick} %` }),
      );
    chart.append(svg('text', { x: 2, y: 11, class: 'axis-label capacity-label', text: unitOf(target) }));
    chart.append(svg('text', { x: width - pad.right + 6, y: 11, class: 'axis-label metric-label', text: 'metric' }));
    chart.append(
      svg('text', {
        x: width / 2,
        y: height - 6,
        'text-anchor': 'middle',
        class: 'axis-label',
        text: `${formatTime(new Date(t0).toISOString())} – ${formatTime(new Date(t1).toISOString())} UTC`,
      }),
    );

    const thresholds = new Map();
    for (const point of points)
      for (const signal of point.signals)
        thresholds.set(`${signal.direction}:${signal.metric}:${signal.threshold}`, signal);
    for (const signal of thresholds.values()) {
      chart.append(
        svg('line', {
          x1: pad.left,
          x2: width - pad.right,
          y1: yPercent(signal.threshold),
          y2: yPercent(signal.threshold),
          class: `threshold ${signal.direction}`,
        }),
      );
      chart.append(
        svg('text', {
          x: pad.left + 4,
          y: yPercent(signal.threshold) - 3,
          class: `axis-label threshold-label ${signal.direction}`,
          text: `${signal.name} ${signal.operator === 'LessThan' ? '<' : '>'} ${formatNumber(signal.threshold)} %`,
        }),
      );
    }
    const metricPoints = points.filter((point) => point.metric !== null);
    if (metricPoints.length > 1) {
      chart.append(
        svg('polyline', {
          class: 'metric',
          points: metricPoints.map((point) => `${x(point.at)},${yPercent(point.metric)}`).join(' '),
        }),
      );
    }
    const steps = points.flatMap((point, index) => {
      const previous = points[index - 1];
      return previous
        ? [`${x(point.at)},${yCapacity(previous.capacity)}`, `${x(point.at)},${yCapacity(point.capacity)}`]
        : [`${x(point.at)},${yCapacity(point.capacity)}`];
    });
    chart.append(svg('polyline', { class: 'capacity-line', points: steps.join(' ') }));
    const legend = element(
      'p',
      { class: 'legend' },
      element('span', { class: 'swatch capacity-swatch', text: '■' }),
      ` capacity (${unitOf(target)})   `,
      element('span', { class: 'swatch metric-swatch', text: '■' }),
      ` ${metricPoints[0] ? metricPoints[0].metricName : 'metric'} (%)   `,
      element('span', { class: 'swatch out-swatch', text: '■' }),
      ' scale-out threshold   ',
      element('span', { class: 'swatch in-swatch', text: '■' }),
      ' scale-in threshold',
    );
    node.replaceChildren(chart, legend);
  }

  // ---- polling ----

  async function refresh() {
    const answer = await api('GET', `/targets?decisions=${DECISIONS}`);
    const container = document.getElementById('targets');
    for (const target of answer.targets) {
      let view = views.get(target.name);
      if (!view) {
        view = targetView(target);
        views.set(target.name, view);
        container.append(view.section);
      }
      renderCapacity(view.fields.capacity, target);
      renderSchedule(view.fields.schedule, target);
      renderBadges(view.fields.badges, target);
      renderDecisions(view.fields.decisions, target);
      renderChart(view.fields.chart, target, remember(target));
      await renderOperation(view.fields.operation, target);
    }
    const latest = answer.targets
      .flatMap((target) => target.lastDecisions.map((decision) => decision.decidedAt))
      .sort()
      .pop();
    document.getElementById('clock').textContent = latest
      ? `last decision ${latest.replace('T', ' ').slice(0, 16)} UTC`
      : 'no decisions yet';
  }

  async function poll() {
    try {
      await refresh();
      if (problemSource === 'poll') showProblem('');
    } catch (error) {
      showProblem(error.message, 'poll');
    }
    window.setTimeout(poll, POLL_MS);
  }

  const tokenInput = document.getElementById('token');
  tokenInput.value = window.sessionStorage.getItem('scaler.token') || '';
  tokenInput.addEventListener('change', () => {
    if (tokenInput.value.trim()) window.sessionStorage.setItem('scaler.token', tokenInput.value.trim());
    else window.sessionStorage.removeItem('scaler.token');
  });
  poll();
})();
