//! Avnet IoTConnect: calls of the device service, paths after its base URL (which ends in `/api/v2.1`).

use super::*;
pub static OPS: [Op; 1] = [
    // devices.list: every page of `GET /Device`, as one array.
    Op {
        route: "GET /Device",
        params: "qsUniqueId=uniqueId,qsTemplateGuid=templateGuid,qsEntityGuid=entityGuid,qsStatus=status,qssearchText=searchText,qssortBy=sortBy,nipageSize",
        accept: "application/json",
        flags: SVC_DEVICE | PAGE_ALL | RET_OBJECT,
    },
];
