// Bad arguments, for every Arduino operation on both surfaces, derived from the table: a missing required
// argument, a wrong type for each kind of parameter, ids with `/`, `?` or `#`. Each rejects with an
// invalid_argument CloudError naming the call and the parameter, and nothing reaches the simulator.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, Arduino, IotApi, rejectsWith } from './support.mjs';
import { ROWS, sampleArgs } from './arduino-table.mjs';

const sim = useSimulator();
let cases = 0;

/** The bad calls of a row: [description, positional, options, the JS name the message must give]. */
function badCalls(row, orgKey) {
  const s = sampleArgs(row, orgKey);
  const out = [];
  const withArg = (p, v) => {
    if (p.required) {
      const positional = [...s.positional];
      positional[row.required.indexOf(p)] = v;
      return [positional, s.options];
    }
    return [s.positional, { ...s.options, [p.js]: v }];
  };
  for (const p of row.required) out.push([`${p.js} missing`, ...withArg(p, undefined), p.js]);
  for (const p of row.params) {
    if (p.at === 'p') {
      out.push([`${p.js}: a number`, ...withArg(p, 42), p.js]);
      for (const c of ['/', '?', '#']) out.push([`${p.js} with ${c}`, ...withArg(p, `a${c}b`), p.js]);
    } else if (p.at === 'q' && p.kind === 'b') out.push([`${p.js}: a string`, ...withArg(p, 'yes'), p.js]);
    else if (p.at === 'q' && p.kind === 'i') out.push([`${p.js}: a fraction`, ...withArg(p, 1.5), p.js]);
    else if (p.at === 'q' && p.kind === 'a') out.push([`${p.js}: a string`, ...withArg(p, 'k:v'), p.js]);
    else if (p.at === 'q' && p.kind === 's') out.push([`${p.js}: a number`, ...withArg(p, 7), p.js]);
    else if (p.at === 'b' && p.kind === 'o') out.push([`${p.js}: an array`, ...withArg(p, [{}]), p.js]);
    else if (p.at === 'b' && p.kind === 'l') out.push([`${p.js}: an object`, ...withArg(p, {}), p.js]);
    else if (p.kind === 'F') out.push([`${p.js}: a string`, ...withArg(p, 'firmware'), p.js]);
  }
  if (row.flags & 16) out.push([`${orgKey}: a number`, s.positional, { ...s.options, [orgKey]: 5 }, orgKey]);
  out.push(['options: a string', s.positional, 'opts', 'options']);
  return out;
}

for (const row of ROWS) {
  const surfaces = [
    row.resource && ['organization', row.modernName, (token, args) => new Arduino({ accessToken: token, baseUrl: sim.arduinoBase })[row.resource][row.action](...args)],
    ['xOrganization', row.jsMethod, (token, args) => {
      const client = new IotApi.ApiClient(sim.arduinoBase);
      client.authentications.oauth2.accessToken = token;
      return new IotApi[row.cls](client)[row.jsMethod](...args);
    }],
  ].filter(Boolean);
  test(`op ${row.op}: bad arguments of ${surfaces.map((x) => x[1]).join(' / ')} reject before any request`, T, async () => {
    for (const [orgKey, name, call] of surfaces) {
      for (const [what, positional, options, js] of badCalls(row, orgKey)) {
        const err = await rejectsWith(call('sim-token', [...positional, options]), { code: 'invalid_argument', vendor: 'arduino' });
        assert.ok(err.message.includes(name), `${name}, ${what}: the message names the call: ${err.message}`);
        assert.ok(err.message.includes(`\`${js}\``), `${name}, ${what}: the message names \`${js}\`: ${err.message}`);
        cases++;
      }
    }
    assert.deepEqual(await sim.requests(), [], 'nothing reached the simulator');
  });
}

test('bad-argument cases of all 111 operations (94 on the modern surface) were checked', (t) => {
  assert.equal(ROWS.length, 111);
  assert.ok(cases > 111 * 4, `${cases} cases`);
  t.diagnostic(`${cases} bad calls, each rejected before any request`);
});
