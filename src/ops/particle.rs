//! Particle Device Cloud: the device calls of particle-api-js, each taking one options object
//! (`getVariable({deviceId, name, auth})`) whose `auth` is the token of that call.
use super::*;
#[rustfmt::skip]
pub static OPS: [Op; 4] = [
    Op { route: "GET /v1/devices", params: "tsauth", accept: "application/json", flags: OPTS | RET_ARRAY },
    Op { route: "GET /v1/devices/{deviceId}", params: "ps!deviceId,tsauth", accept: "application/json", flags: OPTS | RET_OBJECT },
    Op { route: "GET /v1/devices/{deviceId}/{name}", params: "ps!deviceId,ps!name,tsauth", accept: "application/json", flags: OPTS | RET_OBJECT },
    Op { route: "POST /v1/devices/{deviceId}/{name}", params: "ps!deviceId,ps!name,jsarg=argument,tsauth", accept: "application/json", flags: OPTS | BODY_JSON | RET_OBJECT },
];
