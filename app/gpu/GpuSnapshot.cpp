#include "GpuSnapshot.h"

#include <QJsonArray>

namespace {

QJsonValue count(qint64 v)
{
    return v < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v);
}

QJsonValue watts(double v)
{
    return v < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v);
}

QJsonValue text(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QString codeName(Error::Code code)
{
    switch (code) {
    case Error::Code::NoDriver: return QStringLiteral("NoDriver");
    case Error::Code::Timeout: return QStringLiteral("Timeout");
    case Error::Code::Protocol: return QStringLiteral("Protocol");
    case Error::Code::None: return QStringLiteral("None");
    default: break;
    }
    return QStringLiteral("Other");
}

QJsonObject gpuJson(const GpuInfo &g)
{
    QJsonArray migs;
    for (const GpuInfo::MigDevice &m : g.migDevices) {
        migs.append(QJsonObject{{QStringLiteral("index"), m.index},
                                {QStringLiteral("indexName"), m.indexName},
                                {QStringLiteral("uuid"), text(m.uuid)},
                                {QStringLiteral("name"), text(m.name)}});
    }
    QJsonValue processes(QJsonValue::Null);
    if (g.processesKnown) {
        QJsonArray list;
        for (const GpuInfo::Process &p : g.processes) {
            QJsonValue container(QJsonValue::Null);
            if (p.inContainer()) {
                container = QJsonObject{{QStringLiteral("id"), p.container.id},
                                        {QStringLiteral("name"), text(p.container.name)},
                                        {QStringLiteral("image"), text(p.container.image)},
                                        {QStringLiteral("engine"), text(p.container.engine)}};
            }
            list.append(QJsonObject{{QStringLiteral("pid"), count(p.pid)},
                                    {QStringLiteral("usedMemoryBytes"), count(p.usedMemory)},
                                    {QStringLiteral("container"), container},
                                    {QStringLiteral("user"), text(p.user)},
                                    {QStringLiteral("command"), text(p.command)},
                                    {QStringLiteral("owner"), p.ownerLabel()},
                                    {QStringLiteral("unknownReason"), text(p.unknownReason)}});
        }
        processes = list;
    }
    return QJsonObject{
        {QStringLiteral("index"), g.index},
        {QStringLiteral("uuid"), text(g.uuid)},
        {QStringLiteral("name"), text(g.name)},
        {QStringLiteral("pciBusId"), text(g.pciBusId)},
        {QStringLiteral("minorNumber"), count(g.minorNumber)},
        {QStringLiteral("memoryTotalBytes"), count(g.memoryTotal)},
        {QStringLiteral("memoryUsedBytes"), count(g.memoryUsed)},
        {QStringLiteral("gpuUtilPercent"), count(g.gpuUtil)},
        {QStringLiteral("memUtilPercent"), count(g.memUtil)},
        {QStringLiteral("temperatureC"), count(g.temperature)},
        {QStringLiteral("powerDrawW"), watts(g.powerDraw)},
        {QStringLiteral("powerLimitW"), watts(g.powerLimit)},
        {QStringLiteral("smClockMHz"), count(g.smClock)},
        {QStringLiteral("migMode"), GpuInfo::migModeName(g.migMode)},
        {QStringLiteral("migDevices"), migs},
        {QStringLiteral("processes"), processes},
        {QStringLiteral("error"), text(g.error)},
    };
}

} // namespace

QString GpuSnapshot::sourceName(Source source)
{
    switch (source) {
    case Source::Nvml: return QStringLiteral("nvml");
    case Source::NvidiaSmi: return QStringLiteral("nvidia-smi");
    case Source::None: break;
    }
    return QStringLiteral("none");
}

QJsonObject GpuSnapshot::toJson() const
{
    QJsonArray list;
    for (const GpuInfo &g : gpus)
        list.append(gpuJson(g));
    QJsonValue err(QJsonValue::Null);
    if (error.isError()) {
        err = QJsonObject{{QStringLiteral("code"), codeName(error.code())},
                          {QStringLiteral("message"), error.message()},
                          {QStringLiteral("what"), error.what()},
                          {QStringLiteral("why"), error.why()},
                          {QStringLiteral("hint"), error.hint()}};
    }
    return QJsonObject{
        {QStringLiteral("source"), sourceName(source)},
        {QStringLiteral("driverVersion"), text(driverVersion)},
        {QStringLiteral("cudaVersion"), text(cudaVersion)},
        {QStringLiteral("gpus"), list},
        {QStringLiteral("error"), err},
    };
}
