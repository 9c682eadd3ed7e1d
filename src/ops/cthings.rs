//! cThings Cloud: `/v3` calls (or `/v2`), whose answers are envelopes `{api, code, data, message, …}`.

use super::*;
#[rustfmt::skip]
pub static OPS: [Op; 4] = [
    // devices.get: the device, the envelope's data.
    Op { route: "GET /v3/device/{deviceId}", params: "pg!deviceId", accept: "application/json", flags: RET_OBJECT | DATA },
    // devices.getEnvelope: the whole envelope.
    Op { route: "GET /v3/device/{deviceId}", params: "pg!deviceId", accept: "application/json", flags: RET_OBJECT },
    // request: any call of the API, the envelope's data. The vendor checks the version (`/auto`: v3, then v2
    // on a 404) and that the path has none of its own, and sends the call's `auth` (the implied `t` of an
    // options-object call) instead of the client's token; see `vendors::cthings`.
    Op { route: REQUEST, params: REQUEST_PARAMS, accept: "application/json", flags: REQUEST_FLAGS | DATA },
    // requestEnvelope: the same, the whole envelope.
    Op { route: REQUEST, params: REQUEST_PARAMS, accept: "application/json", flags: REQUEST_FLAGS },
];

const REQUEST: &str = "GET /{version}{path}";
const REQUEST_PARAMS: &str = "msmethod,psversion~v3,pr!path,qoquery,bjbody";
const REQUEST_FLAGS: u16 = OPTS | RET_OBJECT | BODY_JSON;
