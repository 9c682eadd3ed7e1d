// Type-checks the generated pkg-templates/arduino-api.d.ts on its own (see arduino-generated.tsconfig.json):
// a few calls per resource on the modern surface, the IotApi classes, and misuse that must not compile.
import type {
  ArduinoResources, IotApiClasses, ArduinoThing, ArduinoProperty, ArduinoThingsListOptions,
  ArduinoPropertiesListOptions, ArduinoDevicev2, ArduinoDevicev2propertyvalue,
} from '../../pkg-templates/arduino-api.js';
import type { IotApiClientLike } from './stub/iot_cloud_wasm.js';

declare const arduino: ArduinoResources;
declare const IotApi: IotApiClasses;
declare const client: IotApiClientLike;

export async function modern(signal: AbortSignal): Promise<void> {
  const listOptions: ArduinoThingsListOptions = { showDeleted: true, tags: ['k:v'], organization: 'org', signal };
  const things: ArduinoThing[] = await arduino.things.list(listOptions);
  const created: string | undefined = things[0].created_at;
  const thing = await arduino.things.show(things[0].id, { showDeleted: true, timeoutMs: 5000 });
  await arduino.things.create({ name: 'x', device_id: 'd' }, { force: true });
  await arduino.things.update(thing.id, { name: 'y' });
  const propertyOptions: ArduinoPropertiesListOptions = { showDeleted: false };
  const props: ArduinoProperty[] = await arduino.properties.list(thing.id, propertyOptions);
  await arduino.properties.publish(thing.id, props[0].id, { value: 21.5 });
  const devices: ArduinoDevicev2[] = await arduino.devices.list({ serial: 's', tags: ['a:b'] });
  const page = await arduino.devices.timeseries(devices[0].id, 'pid', { limit: 10 });
  const next: string | undefined = page.last_evaluated_key.created_at;
  for await (const v of arduino.devices.iterateTimeseries(devices[0].id, 'pid', { limit: 100 })) {
    const item: ArduinoDevicev2propertyvalue = v;
    void item;
  }
  await arduino.devicesOta.upload(devices[0].id, new Blob([]), { async: false, expireInMins: 5 });
  await arduino.devicesOta.upload(devices[0].id, new Uint8Array(4));
  await arduino.series.batchQueryRaw({ requests: [{ q: 'property.x', series_limit: 10 }], resp_version: 1 });
  const dashboards = await arduino.dashboardsV3.list({ name: 'n' });
  await arduino.triggersV1.list();
  await arduino.dashboards.share(dashboards[0].id, { user_id: 'u' });
  void created; void next;

  // @ts-expect-error id is required
  await arduino.things.show();
  // @ts-expect-error the options object has no such key
  await arduino.things.list({ showDeletd: true });
  // @ts-expect-error showDeleted is a boolean
  await arduino.properties.list('id', { showDeleted: 'yes' });
  // @ts-expect-error no such operation
  await arduino.things.listAll();
  // @ts-expect-error start is set by the iterator
  arduino.devices.iterateTimeseries('id', 'pid', { start: 'x' });
  // @ts-expect-error a thing's name is a string
  await arduino.things.create({ name: 5 });
}

export async function iotApi(): Promise<void> {
  const thingsApi = new IotApi.ThingsV2Api(client);
  const things = await thingsApi.thingsV2List({ showDeleted: true, xOrganization: 'org' });
  const at: Date | undefined = things[0].created_at;
  const { data, response } = await thingsApi.thingsV2ShowWithHttpInfo('id');
  const status: number = response.status;
  const updated: Date | undefined = data.updated_at;
  const props = await new IotApi.PropertiesV2Api().propertiesV2List('id', { showDeleted: true });
  const when: Date | undefined = props[0].value_updated_at;
  await new IotApi.PropertiesV2Api(client).propertiesV2Publish('id', 'pid', { value: true });
  await new IotApi.DevicesV2OtaApi().devicesV2OtaUpload('id', new Blob([]), { expireInMins: 3 });
  const removed: null = await new IotApi.PropertiesV2Api().propertiesV2Delete('id', 'pid', { force: true });
  const v1 = await new IotApi.ThingsV1Api().thingsV1List({ acrossUserIds: true });
  await new IotApi.SeriesV1Api().seriesV1BatchQueryRaw({ requests: [{ q: 'x', series_limit: 1 }], resp_version: 1 });
  await new IotApi.DashboardsV3Api().dashboardsV3ListWithHttpInfo();
  void at; void status; void updated; void when; void removed; void v1;

  // @ts-expect-error the modern option name is not the IotApi one
  await thingsApi.thingsV2List({ organization: 'org' });
  // @ts-expect-error dates are Dates on this surface
  const s: string | undefined = things[0].created_at;
  // @ts-expect-error no such method
  await thingsApi.thingsV2ListAll();
  // @ts-expect-error the body is required
  await new IotApi.PropertiesV2Api().propertiesV2Publish('id', 'pid');
  void s;
}
