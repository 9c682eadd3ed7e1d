// The Arduino API as installed from the tarball: a sample of operations per resource on both surfaces,
// and misuse that must not compile.
import { Arduino, IotApi } from 'iot-cloud-wasm';
import type { ArduinoDevicev2, ArduinoThing, ArduinoDevicev2propertyvalue, ArduinoTimeseriesmedia } from 'iot-cloud-wasm';

export async function arduinoUsage(signal: AbortSignal, file: Blob): Promise<void> {
  const arduino = new Arduino({ clientId: 'id', clientSecret: 'secret', maxRequestsPerSecond: 10 });
  const devices: ArduinoDevicev2[] = await arduino.devices.list({ showDeleted: true, organization: 'org', signal });
  const device = await arduino.devices.show(devices[0].id, { timeoutMs: 5_000 });
  const thing: ArduinoThing = await arduino.things.create({ name: 'Lamp' }, { force: true });
  await arduino.things.update(thing.id, { name: 'Desk lamp' });
  await arduino.properties.publish(thing.id, 'pid', { value: 21.5 });
  const series: ArduinoTimeseriesmedia = await arduino.properties.timeseries(thing.id, 'pid', {
    from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z', interval: 60,
  });
  await arduino.series.batchQueryRaw({ requests: [{ q: 'property.pid', from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' }], resp_version: 1 });
  await arduino.dashboardsV3.list();
  await arduino.devicesOta.upload(device.id, file, { async: true });
  await arduino.thingsTags.upsert(thing.id, { key: 'room', value: 'kitchen' });
  for await (const point of arduino.devices.iterateTimeseries(device.id, 'pid', { limit: 100 })) {
    const p: ArduinoDevicev2propertyvalue = point;
    void p;
  }

  const api = new IotApi.ThingsV2Api(IotApi.ApiClient.instance);
  const things = await api.thingsV2List({ showProperties: true, xOrganization: 'org' });
  const created: Date | undefined = things[0].created_at;
  const { data, response } = await api.thingsV2ShowWithHttpInfo(things[0].id);
  const status: number = response.status;
  await new IotApi.PropertiesV2Api().propertiesV2Publish(data.id, 'pid', { value: true });
  await new IotApi.DashboardsV3Api().dashboardsV3List();
  await new IotApi.ThingsV1Api().thingsV1List();

  // @ts-expect-error the property id is required
  await arduino.properties.publish(thing.id, { value: 1 });
  // @ts-expect-error option types are checked
  await arduino.things.list({ showDeleted: 'yes' });
  // @ts-expect-error the IotApi surface names the organization xOrganization
  await api.thingsV2List({ organization: 'org' });
  // @ts-expect-error no such operation
  await arduino.things.explode();

  void [series, created, status];
}
