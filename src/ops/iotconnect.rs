//! Avnet IoTConnect: the calls of the fact sheet's endpoint table, in the order of the JavaScript methods of
//! `IOTCONNECT` in pkg-templates/common.mjs. The first segment of each path names the service the call goes
//! to (`/device/Device` is `GET {deviceBaseUrl}/Device`); `request` takes it from its `service` option.
//!
//! Flags: 8 a JSON object answers (the envelope `{data, status, message, count}`, which a `list` resolves
//! as it comes), 128 the envelope's `data` is resolved, with 8192 its one item (`get`: a one-item list),
//! 512 one page of an `iterate` (see `crate::ops::PAGE_NUMBER`), 1 a JSON body.

/// One operation a line: `route|params|accept|flags` (see `crate::ops::Op`; flags in decimal).
pub static OPS: &str = "\
GET /device/Device|qsUniqueId=uniqueId,qsTemplateGuid=templateGuid,qsEntityGuid=entityGuid,qsStatus=status,qssearchText=searchText,qssortBy=sortBy,qipageNumber#1,qipageSize#1-1000||8
GET /device/Device|qsUniqueId=uniqueId,qsTemplateGuid=templateGuid,qsEntityGuid=entityGuid,qsStatus=status,qssearchText=searchText,qssortBy=sortBy,vsstart,vipageNumber#1,nipageSize#1-1000||520
GET /device/Device/{guid}|ps!||8328
GET /device/Device/uniqueId/{uniqueId}|ps!||8328
POST /device/Device|bo!device||137
PUT /device/Device/{guid}|ps!,bo!device||137
PUT /device/Device/{guid}/status|ps!,jb!isActive||137
DELETE /device/Device/{guid}|ps!||136
GET /device/device-template|qssearchText=searchText,qssortBy=sortBy,qipageNumber#1,qipageSize#1-1000||8
GET /device/device-template|qssearchText=searchText,qssortBy=sortBy,vsstart,vipageNumber#1,nipageSize#1-1000||520
GET /device/device-template/{guid}|ps!||8328
GET /device/device-template/template-code/{code}|ps!||8328
DELETE /device/device-template/{guid}|ps!||136
GET /device/template-attribute/{templateGuid}|ps!||136
GET /device/template-command/{templateGuid}|ps!||136
POST /device/template-command/device/{deviceGuid}/send|ps!,bo!command||137
GET /user/Entity|||8
GET /user/Entity/{guid}|ps!||8328
GET /user/User|qssearchText=searchText,qssortBy=sortBy,qipageNumber#1,qipageSize#1-1000||8
GET /user/User|qssearchText=searchText,qssortBy=sortBy,vsstart,vipageNumber#1,nipageSize#1-1000||520
GET /user/User/{guid}|ps!||8328
GET /telemetry/Telemetry/device/{deviceGuid}|ps!||136
POST /telemetry/Telemetry/device/{uniqueId}/recent/{n}|ps!,pi!n#10-50,jschildUniqueId,jjfilterAttrs||137
GET /telemetry/Telemetry/attribute-history/device/{uniqueId}/from/{from}/to/{to}|ps!,pD+from,pD+to||136
GET /firmware/Firmware|||8
GET /firmware/Firmware/{guid}|ps!||8328
POST /firmware/Firmware|bo!firmware||137
GET /firmware/firmware-upgrade|qs+type||8
GET /firmware/firmware-upgrade/{guid}|ps!||8328
POST /firmware/firmware-upgrade|bo!upgrade||137
DELETE /firmware/firmware-upgrade/{guid}|ps!||136
PUT /firmware/firmware-upgrade/{guid}/publish|ps!||136
POST /firmware/ota-update|bo!update||137
GET /{service}{path}|msmethod,ps+service,pr+path,qoquery,bjbody||1";

/// `telemetry.history`: its window is checked by the vendor.
pub const HISTORY: usize = 23;
/// `request({service, method, path, query, body})`.
pub const REQUEST: usize = 33;
