// tracesim's Debug Adapter Protocol suite, driven by VS Code's own test client
// (@vscode/debugadapter-testsupport's DebugClient) against `tracesim debug -i=dap`.
'use strict';

const assert = require('assert');
const cp = require('child_process');
const path = require('path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const ADAPTER = path.join(__dirname, 'adapter.sh');
const SEED = ['-machine', 'q35', '-m', '1024', '-smp', 'cpus=4',
  '-numa', 'node,cpus=0-1', '-numa', 'node,cpus=2-3'];
const ERROR_LINE = ['-machine', 'q35', '-m', '1024', '-numa', 'node,mem=100'];
const NUMA_C = 'hw/core/numa.c';

function client(env) {
  const dc = new DebugClient('sh', ADAPTER, 'tracesim',
    { env: Object.assign({}, process.env, env || {}) });
  dc.defaultTimeout = 15000;
  return dc;
}

async function topFrame(dc) {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames[0];
}

async function rejects(promise, pattern) {
  try {
    await promise;
  } catch (err) {
    assert.match(err.message, pattern);
    return;
  }
  assert.fail('expected an error response');
}

// Output events of one category, collected from now on.
function collect(dc, category) {
  const seen = [];
  dc.on('output', (e) => { if (e.body.category === category) seen.push(e.body); });
  return seen;
}

describe('tracesim debug -i=dap', function () {
  let dc;
  beforeEach(() => { dc = client(); return dc.start(); });
  afterEach(() => dc.stop());

  it('announces its capabilities', async () => {
    const r = await dc.initializeRequest();
    const c = r.body;
    for (const cap of ['supportsConfigurationDoneRequest', 'supportsStepBack',
      'supportsFunctionBreakpoints', 'supportsConditionalBreakpoints',
      'supportsHitConditionalBreakpoints', 'supportsLogPoints', 'supportsDataBreakpoints',
      'supportsEvaluateForHovers', 'supportsGotoTargetsRequest',
      'supportsStepInTargetsRequest', 'supportsRestartRequest', 'supportsTerminateRequest',
      'supportsValueFormattingOptions', 'supportsExceptionInfoRequest']) {
      assert.strictEqual(c[cap], true, cap);
    }
    assert.strictEqual(c.supportsSetVariable, false);
    assert.deepStrictEqual(c.exceptionBreakpointFilters.map((f) => f.filter),
      ['error', 'warning', 'exit', 'assert', 'split', 'dist']);
  });

  it('answers requests before launch, unknown commands and attach with errors', async () => {
    await dc.initializeRequest();
    await rejects(dc.stackTraceRequest({ threadId: 1 }), /before 'launch'/);
    await rejects(dc.threadsRequest(), /before 'launch'/);
    await rejects(dc.customRequest('frobnicate'), /no request 'frobnicate'/);
    await rejects(dc.attachRequest({}), /no process to attach to/);
    await dc.launchRequest({ args: SEED });
    await rejects(dc.setVariableRequest({ variablesReference: 1, name: 'i', value: '2' }),
      /read-only|cannot be changed/);
  });

  it('stops at hw/core/numa.c:399, shows the stack, scopes and ms', async () => {
    await dc.hitBreakpoint({ args: SEED }, { path: NUMA_C, line: 399 });
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const frames = st.body.stackFrames;
    assert.deepStrictEqual(frames.map((f) => f.name),
      ['numa_complete_configuration', 'machine_run_board_init', 'main']);
    assert.deepStrictEqual(frames.map((f) => `${f.source.path}:${f.line}`),
      ['hw/core/numa.c:399', 'hw/core/machine.c:1106', 'vl.c:4346']);
    // no QEMU tree: the source is the model's description of each line
    const src = await dc.sourceRequest({ sourceReference: frames[0].source.sourceReference,
      source: frames[0].source });
    assert.match(src.body.content.split('\n')[398], /numa_info\[i\]\.present/);

    const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
    assert.deepStrictEqual(scopes.map((s) => s.name), ['Arguments', 'Locals', 'Globals']);
    const args = (await dc.variablesRequest({
      variablesReference: scopes[0].variablesReference })).body.variables;
    assert.deepStrictEqual(args.map((v) => [v.name, v.value]),
      [['ms', '(MachineState *) 0x55555638e430']]);
    const locals = (await dc.variablesRequest({
      variablesReference: scopes[1].variablesReference })).body.variables;
    assert.deepStrictEqual(locals.find((v) => v.name === 'i').value, '1');
    const globals = (await dc.variablesRequest({
      variablesReference: scopes[2].variablesReference })).body.variables;
    assert.strictEqual(globals.find((v) => v.name === 'ram_size').value, '1073741824');
    assert.strictEqual(globals.find((v) => v.name === 'max_numa_nodeid').value, '2');

    // ms expanded: MachineState, its NumaState, the 128 nodes paged, a distance row
    const ms = (await dc.variablesRequest({
      variablesReference: args[0].variablesReference })).body.variables;
    const numa = ms.find((v) => v.name === 'numa_state');
    assert.strictEqual(numa.evaluateName, 'ms->numa_state');
    const ns = (await dc.variablesRequest({
      variablesReference: numa.variablesReference })).body.variables;
    assert.strictEqual(ns.find((v) => v.name === 'num_nodes').value, '2');
    const nodes = ns.find((v) => v.name === 'nodes');
    assert.strictEqual(nodes.indexedVariables, 128);
    const page = (await dc.variablesRequest({ variablesReference: nodes.variablesReference,
      filter: 'indexed', start: 1, count: 2 })).body.variables;
    assert.deepStrictEqual(page.map((v) => v.name), ['[1]', '[2]']);
    const node1 = (await dc.variablesRequest({
      variablesReference: page[0].variablesReference })).body.variables;
    assert.strictEqual(node1.find((v) => v.name === 'present').value, 'true');
    const dist = node1.find((v) => v.name === 'distance');
    assert.strictEqual(dist.indexedVariables, 128);
    const row = (await dc.variablesRequest({ variablesReference: dist.variablesReference,
      start: 126, count: 5 })).body.variables;
    assert.deepStrictEqual(row.map((v) => v.name), ['[126]', '[127]']);

    // evaluate: the watch panel and hovers use tracesim's C parser
    const ev = await dc.evaluateRequest({ expression: 'ms->numa_state->num_nodes',
      frameId: frames[0].id, context: 'watch' });
    assert.strictEqual(ev.body.result, '2');
    const hex = await dc.evaluateRequest({ expression: 'ram_size', frameId: frames[0].id,
      context: 'hover', format: { hex: true } });
    assert.strictEqual(hex.body.result, '0x40000000');
    await rejects(dc.evaluateRequest({ expression: 'no_such_thing', frameId: frames[0].id,
      context: 'watch' }), /No symbol "no_such_thing" in current context/);
  });

  it('makes the debug console a gdb console', async () => {
    await dc.hitBreakpoint({ args: SEED }, { path: NUMA_C, line: 399 });
    const frameId = (await topFrame(dc)).id;
    const repl = (expression) => dc.evaluateRequest({ expression, frameId, context: 'repl' });
    assert.strictEqual((await repl('p/x ram_size')).body.result, '$1 = 0x40000000');
    assert.match((await repl('why')).body.result, /if \(!numa_info\[i\]\.present\) is false/);
    assert.match((await repl('last i')).body.result, /^i = 1, last changed at stop \d+:/);
    assert.match((await repl('info numa')).body.result, /^2 nodes\nnode 0 cpus: 0 1/);
    await rejects(repl('frobnicate'), /Undefined command: "frobnicate"/);
    // a command that moves the program tells the editor where it stopped
    const [stopped] = await Promise.all([dc.waitForEvent('stopped'), repl('next')]);
    assert.strictEqual(stopped.body.reason, 'step');
    assert.strictEqual((await topFrame(dc)).line, 397);  // the loop's header
  });

  it('steps forwards and back', async () => {
    await dc.hitBreakpoint({ args: SEED }, { path: NUMA_C, line: 399 });
    // 399 is inside `for (...; i >= 0; ...)` on 397: next goes round the loop
    await Promise.all([dc.nextRequest({ threadId: 1 }),
      dc.assertStoppedLocation('step', { path: NUMA_C, line: 397 })]);
    // stepping back onto the breakpoint's line reports the breakpoint, as gdb does
    await Promise.all([dc.stepBackRequest({ threadId: 1 }),
      dc.assertStoppedLocation('breakpoint', { path: NUMA_C, line: 399 })]);
    await Promise.all([dc.stepBackRequest({ threadId: 1 }),
      dc.assertStoppedLocation('step', { path: NUMA_C, line: 397 })]);
  });

  it('watches node 1 memory through the auto split, and back', async () => {
    await dc.hitBreakpoint({ args: SEED }, { path: NUMA_C, line: 399 });
    const frameId = (await topFrame(dc)).id;
    const info = await dc.dataBreakpointInfoRequest({
      name: 'ms->numa_state->nodes[1].node_mem', frameId });
    assert.deepStrictEqual(info.body.accessTypes, ['write']);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [
      { dataId: info.body.dataId, accessType: 'write' }] });
    assert.strictEqual(set.body.breakpoints[0].verified, true);
    const rw = await dc.setDataBreakpointsRequest({ breakpoints: [
      { dataId: info.body.dataId, accessType: 'write' },
      { dataId: info.body.dataId, accessType: 'read' }] });
    assert.strictEqual(rw.body.breakpoints[1].verified, false);
    await dc.setBreakpointsRequest({ source: { path: NUMA_C }, breakpoints: [] });

    const [stopped] = await Promise.all([dc.waitForEvent('stopped'),
      dc.continueRequest({ threadId: 1 })]);
    assert.strictEqual(stopped.body.reason, 'data breakpoint');
    assert.match(stopped.body.text, /nodes\[1\]\.node_mem: 0 -> 536870912/);
    let top = await topFrame(dc);
    assert.deepStrictEqual([top.name, top.line], ['numa_default_auto_assign_ram', 361]);

    await Promise.all([dc.waitForEvent('stopped'), dc.nextRequest({ threadId: 1 })]);
    const [back] = await Promise.all([dc.waitForEvent('stopped'),
      dc.reverseContinueRequest({ threadId: 1 })]);
    assert.strictEqual(back.body.reason, 'data breakpoint');
    assert.match(back.body.text, /536870912 -> 0/);
    top = await topFrame(dc);
    assert.deepStrictEqual([top.name, top.line], ['numa_default_auto_assign_ram', 360]);
  });

  it('jumps to any stop with goto', async () => {
    await dc.hitBreakpoint({ args: SEED }, { path: NUMA_C, line: 399 });
    // the call spans 425-426: gdb stops on 425, 426, then 425 again to make the call
    const targets = (await dc.gotoTargetsRequest({ source: { path: NUMA_C }, line: 425 }))
      .body.targets;
    assert.deepStrictEqual(targets.map((t) => t.label.replace(/^stop \d+ /, '')),
      ['(ahead): numa_complete_configuration, hit 1 of 2',
        '(ahead): numa_complete_configuration, hit 2 of 2']);
    await Promise.all([dc.gotoRequest({ threadId: 1, targetId: targets[1].id }),
      dc.assertStoppedLocation('goto', { path: NUMA_C, line: 425 })]);
    const into = (await dc.stepInTargetsRequest({ frameId: (await topFrame(dc)).id }))
      .body.targets;
    assert.deepStrictEqual(into.map((t) => t.label), ['numa_default_auto_assign_ram ' +
      '(hw/core/numa.c)']);
    await Promise.all([dc.stepInRequest({ threadId: 1, targetId: into[0].id }),
      dc.assertStoppedLocation('step', { path: NUMA_C, line: 349 })]);
  });

  it('stops at catchpoints as exceptions', async () => {
    await dc.hitBreakpoint({ args: SEED }, { path: NUMA_C, line: 399 });
    await dc.setBreakpointsRequest({ source: { path: NUMA_C }, breakpoints: [] });
    await dc.setExceptionBreakpointsRequest({ filters: ['split', 'warning'] });
    const [split] = await Promise.all([dc.waitForEvent('stopped'),
      dc.continueRequest({ threadId: 1 })]);
    assert.strictEqual(split.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.strictEqual(info.body.exceptionId, 'split');
    await Promise.all([dc.waitForEvent('stopped'), dc.continueRequest({ threadId: 1 })]);
    const stderr = collect(dc, 'stderr');
    const [warning] = await Promise.all([dc.waitForEvent('stopped'),
      dc.continueRequest({ threadId: 1 })]);
    assert.strictEqual(warning.body.reason, 'exception');
    assert.match(warning.body.text, /Default splitting of RAM between nodes is deprecated/);
    assert.match(stderr[0].output, /^qemu-system-x86_64: warning: Default splitting/);
    assert.strictEqual(stderr[0].source.path, NUMA_C);
  });

  it('runs to the end of the modelled path: exit code 0, and says so', async () => {
    const console_ = collect(dc, 'console');
    const stderr = collect(dc, 'stderr');
    await dc.hitBreakpoint({ args: SEED }, { path: NUMA_C, line: 399 });
    await dc.setBreakpointsRequest({ source: { path: NUMA_C }, breakpoints: [] });
    const [exited] = await Promise.all([dc.waitForEvent('exited'),
      dc.waitForEvent('terminated'), dc.continueRequest({ threadId: 1 })]);
    assert.strictEqual(exited.body.exitCode, 0);
    assert.ok(console_.some((o) => /QEMU would go on into machine_class->init/.test(o.output)));
    assert.strictEqual(stderr.length, 1);
  });

  it('runs an error line to exit code 1 with QEMU\'s message', async () => {
    const stderr = collect(dc, 'stderr');
    await Promise.all([dc.waitForEvent('initialized'), dc.launch({ args: ERROR_LINE })]);
    const [exited] = await Promise.all([dc.waitForEvent('exited'),
      dc.configurationDoneRequest()]);
    assert.strictEqual(exited.body.exitCode, 1);
    assert.strictEqual(stderr[stderr.length - 1].output, 'qemu-system-x86_64: total memory ' +
      'for NUMA nodes (0x6400000) should equal RAM size (0x40000000)\n');
  });

  it('logpoints log, hit conditions count, function breakpoints stop', async () => {
    const console_ = collect(dc, 'console');
    await Promise.all([dc.waitForEvent('initialized'),
      dc.launch({ args: SEED, stopOnEntry: true })]);
    await dc.setBreakpointsRequest({ source: { path: NUMA_C }, breakpoints: [
      { line: 397, logMessage: 'i is {i}' }] });
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [
      { name: 'numa_default_auto_assign_ram', hitCondition: '1' }] });
    assert.strictEqual(fb.body.breakpoints[0].verified, true);
    await Promise.all([dc.configurationDoneRequest(),
      dc.assertStoppedLocation('entry', {})]);
    const [stop] = await Promise.all([dc.waitForEvent('stopped'),
      dc.continueRequest({ threadId: 1 })]);
    assert.strictEqual(stop.body.reason, 'function breakpoint');
    const logged = console_.filter((o) => o.output.startsWith('i is'));
    // what `p i` prints at the three stops on 397 (first uninitialised, as on the real binary)
    assert.deepStrictEqual(logged.map((o) => o.output),
      ['i is 21845\n', 'i is 0\n', 'i is -1\n']);
  });
});

describe('tracesim debug --interpreter=dap', function () {
  it('speaks DAP under gdb\'s long spelling too', async () => {
    const dc = client({ TRACESIM_DAP_FLAG: '--interpreter=dap' });
    await dc.start();
    try {
      const r = await dc.initializeRequest();
      assert.strictEqual(r.body.supportsStepBack, true);
    } finally {
      await dc.stop();
    }
  });
});

// The raw protocol: bytes a real client would never send, and clients that vanish.
function spawnAdapter() {
  const proc = cp.spawn('sh', [ADAPTER], { env: process.env });
  proc.out = Buffer.alloc(0);
  proc.err = '';
  proc.stdout.on('data', (d) => { proc.out = Buffer.concat([proc.out, d]); });
  proc.stderr.on('data', (d) => { proc.err += d; });
  proc.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  return proc;
}

function frame(obj) {
  const json = JSON.stringify(obj);
  return `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
}

function messages(buf) {
  const out = [];
  let text = buf.toString('utf8');
  for (;;) {
    const at = text.indexOf('\r\n\r\n');
    if (at < 0) break;
    const n = Number(/Content-Length: (\d+)/.exec(text.slice(0, at))[1]);
    out.push(JSON.parse(text.slice(at + 4, at + 4 + n)));
    text = text.slice(at + 4 + n);
  }
  return out;
}

async function until(pred, ms) {
  const end = Date.now() + (ms || 10000);
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the protocol stream', function () {
  it('answers malformed headers and JSON with errors, then goes on', async () => {
    const p = spawnAdapter();
    p.stdin.write('Content-Length: lots\r\n\r\n');
    p.stdin.write('Content-Length: 8\r\n\r\n{"seq": ');
    p.stdin.write('Content-Length: 2\r\n\r\n[]');
    p.stdin.write(frame({ seq: 7, type: 'request', command: 'initialize', arguments: {} }));
    await until(() => messages(p.out).some((m) => m.request_seq === 7));
    const got = messages(p.out);
    const errors = got.filter((m) => m.success === false);
    assert.ok(errors.length >= 2, JSON.stringify(got));
    assert.ok(errors.some((m) => /malformed (header|JSON)/.test(m.message)));
    assert.strictEqual(got.find((m) => m.request_seq === 7).success, true);
    p.stdin.end();
    assert.strictEqual(await p.exited, 0);
    assert.doesNotMatch(p.err, /Traceback/);
  });

  it('skips a huge Content-Length without holding it', async () => {
    const p = spawnAdapter();
    p.stdin.write('Content-Length: 999999999999\r\n\r\n{"seq":1}');
    p.stdin.end();
    assert.strictEqual(await p.exited, 0);
    assert.doesNotMatch(p.err, /Traceback/);
  });

  it('ends cleanly when the client disconnects mid-step', async () => {
    const p = spawnAdapter();
    p.stdin.write(frame({ seq: 1, type: 'request', command: 'initialize', arguments: {} }));
    p.stdin.write(frame({ seq: 2, type: 'request', command: 'launch',
      arguments: { args: SEED, stopOnEntry: true } }));
    p.stdin.write(frame({ seq: 3, type: 'request', command: 'configurationDone' }));
    await until(() => messages(p.out).some((m) => m.event === 'stopped'));
    for (let seq = 4; seq < 40; seq++) {
      p.stdin.write(frame({ seq, type: 'request', command: 'next',
        arguments: { threadId: 1 } }));
    }
    p.stdin.destroy();
    p.stdout.destroy();
    const code = await p.exited;
    assert.ok(code === 0, `exit code ${code}`);
    assert.doesNotMatch(p.err, /Traceback/);
  });
});
