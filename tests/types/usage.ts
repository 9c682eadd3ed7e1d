// Compiled (not run) against the installed package: the documented usage must type-check, and misuse
// must not. Each @ts-expect-error line fails the check if it stops being an error.
import { Arduino, ArduinoThings, CAPABILITIES, CloudError, connect, CThings, init, IotApi, IoTConnect, Particle } from 'iot-cloud-wasm';
import type { ArduinoProperty, ArduinoThing, Capabilities, Cloud, CloudEvent, CThingsDevice, CThingsEnvelope, Device, IoTConnectDevice, IoTConnectTelemetry, ParticleDevice, ParticleEvent, Point, Reading, VendorName } from 'iot-cloud-wasm';

export async function usage(signal: AbortSignal): Promise<void> {
  await init();

  const arduino = new Arduino({ clientId: 'id', clientSecret: 'secret', organization: 'org', timeoutMs: 5000, signal });
  const things: ArduinoThing[] = await arduino.things.list();
  const filtered = await arduino.things.list({ showDeleted: true, ids: ['a'], tags: ['room:kitchen'] });
  const properties: ArduinoProperty[] = await arduino.properties.list(things[0].id, { showDeleted: true });
  const last: unknown = properties[0].last_value;
  const count: number = filtered.length;

  const particle = new Particle();
  const login = await particle.login({ username: 'me@example.com', password: 'pw' });
  const token: string = login.body.access_token;
  const devices = await particle.listDevices({ auth: token });
  const device: ParticleDevice = devices.body[0];
  const status: number = devices.statusCode;
  const variable = await particle.getVariable({ deviceId: device.id, name: 'temperature', auth: token });
  const fn = await particle.callFunction({ deviceId: device.id, name: 'led', argument: 'on' });
  const returned: number = fn.body.return_value;
  particle.setDefaultAuth(token);
  const stream = await particle.getEventStream({ deviceId: 'mine', name: 'temp', silenceMs: 30_000 });
  stream.on('event', (e: ParticleEvent) => void e.coreid).once('reconnect-error', (err: Error) => void err.message);
  stream.on('end', () => {}).off('end', () => {});
  for await (const e of stream) {
    const data: string | null = e.data;
    const name: string = e.name;
    void [data, name];
    break;
  }
  stream.abort();
  // @ts-expect-error an event listener gets the event
  stream.on('event', (e: number) => void e);
  // @ts-expect-error the options are Particle's
  await particle.getEventStream({ deviceID: 'x' });

  const cthings = new CThings({ clientId: 'id', clientSecret: 'secret' });
  const one: CThingsDevice = await cthings.devices.get('d-1');
  const envelope = await cthings.devices.getEnvelope('d-1');
  const version: string = envelope.version;
  const viaRequest = await cthings.request<CThingsDevice>({ path: `/device/${one.id}`, version: 'auto' });
  const changed: CThingsEnvelope<CThingsDevice> = await cthings.requestEnvelope<CThingsDevice>({
    method: 'PATCH', path: `/device/${viaRequest.id}`, query: { notify: true, tag: ['a', 'b'], since: new Date() },
    body: { name: 'Boiler' }, headers: { 'X-Trace': '1' }, timeoutMs: 5000,
  });
  const anything: unknown = await cthings.request({ path: '/device' });
  // @ts-expect-error the methods are the five of the API
  await cthings.request({ method: 'HEAD', path: '/device' });
  // @ts-expect-error the version is v3, v2 or auto
  await cthings.request({ path: '/device', version: 'v4' });
  // @ts-expect-error a path is required
  await cthings.request({ method: 'GET' });

  const iotc = new IoTConnect({ solutionKey: 'k', environment: 'poc', platform: 'aws', username: 'u', password: 'p' });
  const page = await iotc.devices.list({ pageSize: 100, pageNumber: 2, sortBy: 'uniqueId asc' });
  const all: IoTConnectDevice[] = page.data;
  const pageCount: number | undefined = page.count;
  for await (const d of iotc.devices.iterate({ status: 'active' })) void d.uniqueId;
  const endpoints = await iotc.endpoints();
  const auth: string | undefined = endpoints.auth;
  const company: string | undefined = iotc.identity()?.user?.companyId;
  const latest: IoTConnectTelemetry[] = await iotc.telemetry.latest(all[0].guid);
  const value: unknown = latest[0].attributeValue;
  await iotc.telemetry.recent('sim-dev-001', 10, { filterAttrs: ['temperature'], timeoutMs: 5000 });
  await iotc.telemetry.history('sim-dev-001', { from: new Date(Date.now() - 3600_000), to: '2025-01-15T12:00:00+02:00' });
  const [led] = await iotc.templates.commands(all[0].templateGuid ?? '');
  await iotc.commands.send(all[0].guid, { commandGuid: led.guid, parameterValue: 'on' });
  const company2 = await iotc.request<{ data: { cpId: string }[] }>({ service: 'master', path: '/Company', query: { x: 1 } });
  await iotc.firmwareUpgrades.list({ type: 'published' });
  await iotc.ota.update({ firmwareUpgradeGuid: 'g', deviceGuids: [all[0].guid] });
  // Without discovery: the service URLs, or only the auth host of the seed.
  const direct = new IoTConnect({ urls: { auth: 'https://authpoc.iotconnect.io', device: 'https://d.test/api/v2' }, solutionKey: 'k', username: 'u', password: 'p' });
  new IoTConnect({ urls: { device: 'https://d.test/api/v2' }, accessToken: 't' });
  void [pageCount, company, value, company2.data[0].cpId, direct];
  // @ts-expect-error the service must be one of discovery's
  await iotc.request({ service: 'billing', path: '/x' });
  // @ts-expect-error the history window needs both ends
  await iotc.telemetry.history('u', { from: new Date() });

  const client = IotApi.ApiClient.instance;
  client.authentications['oauth2'].accessToken = token;
  const viaClient = await new IotApi.PropertiesV2Api(client).propertiesV2List(things[0].id, { showDeleted: true });
  const viaSingleton = await new IotApi.PropertiesV2Api().propertiesV2List(things[0].id);
  const listed = await new IotApi.ThingsV2Api(client).thingsV2List();

  try {
    await arduino.things.list();
  } catch (err) {
    if (err instanceof CloudError) {
      const code: string = err.code;
      const http: number | undefined = err.status;
      const wait: number | undefined = err.retryAfter;
      void [code, http, wait];
    }
  }

  // @ts-expect-error option types are checked
  new Arduino({ clientId: 42 });
  // @ts-expect-error platform is required for IoTConnect
  new IoTConnect({ solutionKey: 'k', environment: 'poc' });
  // @ts-expect-error the device id is required
  await particle.getDevice({ auth: token });
  // @ts-expect-error handler classes are types only: they are reached through a client
  void ArduinoThings;

  void [last, count, status, variable, returned, one, version, changed, anything, all, auth, viaClient, viaSingleton, listed];
}

// Particle's login flows and token calls.
export async function particleLogins(): Promise<void> {
  const particle = new Particle({ clientId: 'c', clientSecret: 's', useClientCredentials: true, tokenDuration: 3600 });
  const login = await particle.login({ username: 'me@example.com', password: 'pw', expiresAt: new Date() });
  const token: string = login.body.access_token;
  await particle.login({ username: 'u', password: 'p', expiresIn: 60, headers: { 'X-Trace': '1' } });
  await particle.sendOtp({ mfaToken: 'm', otp: '123456' });
  await particle.loginAsClientOwner();
  await particle.loginAsCustomer({ email: 'c@example.com', tokenDuration: 0 });
  await particle.refreshAccessToken({ refreshToken: 'r' });
  await particle.createCustomer({ email: 'c@example.com', password: 'pw', product: 'my-product' });
  const mfa = await particle.enableMfa({ auth: token });
  await particle.confirmMfa({ mfaToken: mfa.body.mfa_token ?? '', otp: '1', invalidateTokens: true });
  await particle.disableMfa({ currentPassword: 'pw' });
  await particle.createUser({ username: 'n@example.com', password: 'pw', accountInfo: { first_name: 'N' } });
  await particle.resetPassword({ username: 'n@example.com' });
  const ok: boolean | undefined = (await particle.deleteAccessToken({ token })).body.ok;
  void ok;
  await particle.deleteCurrentAccessToken();
  await particle.deleteActiveAccessTokens({ auth: token, signal: AbortSignal.timeout(1000) });
  await particle.deleteUser({ password: 'pw' });
  const id: string = (await particle.trackingIdentity({ full: true })).body.id;
  void id;
  // @ts-expect-error the OTP grant needs the MFA token
  await particle.sendOtp({ otp: '1' });
  // @ts-expect-error the token to delete is required
  await particle.deleteAccessToken({ auth: token });
}

// One model over four clouds.
export async function unifiedModel(signal: AbortSignal): Promise<void> {
  const clouds: Cloud[] = [
    connect('arduino', { clientId: 'id', clientSecret: 'secret', rateLimit: 1 }),
    connect('particle', { client: new Particle({ auth: 'token' }) }),
    connect('cthings', { clientId: 'id', clientSecret: 'secret', devices: ['d5d60237-be30-4ca6-bc8b-e9d5a947404c'] }),
    connect('iotconnect', { solutionKey: 'k', environment: 'poc', platform: 'aws', username: 'u', password: 'p' }),
  ];
  for (const cloud of clouds) {
    const caps: Capabilities = cloud.capabilities();
    const vendor: VendorName = cloud.vendor;
    const devices: Device[] = await cloud.devices({ page: 1, pageSize: 50, signal });
    for await (const d of cloud.iterateDevices({ timeoutMs: 10_000 })) {
      const seen: Date | null = d.lastSeen;
      void seen;
    }
    const readings: Reading[] = await cloud.readings(devices[0].id);
    if (caps.history) {
      const points: Point[] = await cloud.history(devices[0].id, readings[0].name, { from: new Date(0), to: '2025-01-02T00:00:00Z' });
      void points;
    }
    if (caps.command) await cloud.command(devices[0].id, 'led', 'on', { signal });
    for await (const e of cloud.events(undefined, { intervalMs: 1000, signal })) {
      const event: CloudEvent = e;
      void event;
      break;
    }
    void vendor;
  }
  const particle = connect('particle', { auth: 'token' });
  const client: Particle = particle.client;
  const rate: number = CAPABILITIES.particle.rateLimit;
  void client;
  void rate;
  // @ts-expect-error no such cloud
  connect('aws', {});
  // @ts-expect-error the client must be the vendor's
  connect('arduino', { client: new Particle() });
  // @ts-expect-error history needs its window
  await particle.history('d', 'temperature');
}
