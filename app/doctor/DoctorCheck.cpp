#include "DoctorCheck.h"

QString DoctorCheck::idName(Id id)
{
    switch (id) {
    case Id::Engine: return QStringLiteral("engine");
    case Id::Socket: return QStringLiteral("socket");
    case Id::Driver: return QStringLiteral("driver");
    case Id::GpuRequest: return QStringLiteral("gpu-request");
    case Id::Runtime: return QStringLiteral("runtime");
    case Id::Cdi: return QStringLiteral("cdi");
    case Id::CdiRefresh: return QStringLiteral("cdi-refresh");
    case Id::Cuda: return QStringLiteral("cuda");
    case Id::Swarm: return QStringLiteral("swarm");
    }
    return {};
}

QString DoctorCheck::statusName(Status status)
{
    switch (status) {
    case Status::Pending: return QStringLiteral("pending");
    case Status::Pass: return QStringLiteral("pass");
    case Status::Fail: return QStringLiteral("fail");
    case Status::Warn: return QStringLiteral("warn");
    case Status::Skip: return QStringLiteral("skip");
    }
    return {};
}
