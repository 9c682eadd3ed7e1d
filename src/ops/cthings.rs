//! cThings Cloud: `/v3` calls, whose answers are envelopes `{api, code, data, message, …}`.

use super::*;
#[rustfmt::skip]
pub static OPS: [Op; 2] = [
    // devices.get: the device, the envelope's data.
    Op { route: "GET /v3/device/{deviceId}", params: "ps!deviceId", accept: "application/json", flags: RET_OBJECT | DATA },
    // devices.getEnvelope: the whole envelope.
    Op { route: "GET /v3/device/{deviceId}", params: "ps!deviceId", accept: "application/json", flags: RET_OBJECT },
];
