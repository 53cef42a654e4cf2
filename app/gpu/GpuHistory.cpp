#include "GpuHistory.h"

#include <QDateTime>
#include <QMap>

namespace {

constexpr qint64 kMiB = 1024 * 1024;

qint32 toMiB(qint64 bytes)
{
    return bytes < 0 ? -1 : static_cast<qint32>(bytes / kMiB);
}

qint16 small(int v)
{
    return static_cast<qint16>(qBound(-1, v, 32767));
}

QByteArray csvField(const QString &s)
{
    QByteArray b = s.toUtf8();
    if (b.contains(',') || b.contains('"') || b.contains('\n'))
        b = '"' + b.replace('"', "\"\"") + '"';
    return b;
}

QByteArray number(qint64 v)
{
    return v < 0 ? QByteArray() : QByteArray::number(v);
}

} // namespace

QString GpuHistory::ownerKey(const GpuInfo::Process &p)
{
    return p.inContainer() ? QStringLiteral("container:") + p.container.id
                           : QStringLiteral("pid:%1").arg(p.pid);
}

QString GpuHistory::ownerLabel(const GpuInfo::Process &p)
{
    if (p.inContainer())
        return p.container.name.isEmpty() ? p.container.id.left(12) : p.container.name;
    if (!p.user.isEmpty())
        return QStringLiteral("PID %1 (%2)").arg(p.pid).arg(p.user);
    return QStringLiteral("PID %1").arg(p.pid);
}

GpuHistory::GpuSeries &GpuHistory::seriesFor(const GpuInfo &g)
{
    for (GpuSeries &s : m_gpus) {
        if (s.uuid == g.uuid)
            return s;
    }
    if (m_gpus.size() >= kMaxGpus) // a GPU seen least recently makes room
        m_gpus.removeFirst();
    m_gpus.append(GpuSeries{});
    m_gpus.last().uuid = g.uuid;
    return m_gpus.last();
}

void GpuHistory::record(const GpuSnapshot &snapshot)
{
    const qint64 msecs = snapshot.taken.isValid() ? snapshot.taken.toMSecsSinceEpoch()
                                                  : QDateTime::currentMSecsSinceEpoch();
    for (const GpuInfo &g : snapshot.gpus) {
        if (g.uuid.isEmpty())
            continue;
        GpuSeries &s = seriesFor(g);
        s.index = g.index;
        s.name = g.name;
        if (g.memoryTotal >= 0)
            s.memoryTotal = g.memoryTotal;
        const bool newer = s.samples.isEmpty() || msecs > s.samples.last().msecs;
        if (newer) {
            GpuSample sample;
            sample.msecs = msecs;
            sample.memoryUsedMiB = toMiB(g.memoryUsed);
            sample.powerDeciW = g.powerDraw < 0 ? -1
                                                : static_cast<qint32>(qRound(g.powerDraw * 10));
            sample.gpuUtil = small(g.gpuUtil);
            sample.temperature = small(g.temperature);
            sample.smClock = g.smClock;
            s.samples.push(sample);
        }
        recordOwners(s, g, newer ? msecs : -1);
    }
}

void GpuHistory::recordOwners(GpuSeries &series, const GpuInfo &g, qint64 msecs)
{
    // Each owner's memory and SM utilisation summed over its processes on this GPU, in the order
    // they came; its utilisation stays unknown (-1) unless one of its processes had a figure.
    QList<QString> keys;
    QHash<QString, qint64> bytes;
    QHash<QString, int> smUtil;
    QHash<QString, QString> labels;
    for (const GpuInfo::Process &p : g.processes) {
        const QString key = ownerKey(p);
        if (!bytes.contains(key)) {
            keys.append(key);
            labels.insert(key, ownerLabel(p));
            smUtil.insert(key, -1);
        }
        bytes[key] += qMax<qint64>(0, p.usedMemory);
        if (p.smUtil >= 0)
            smUtil[key] = qMin(100, qMax(0, smUtil.value(key)) + p.smUtil);
    }
    for (const QString &key : std::as_const(keys)) {
        OwnerSeries *owner = nullptr;
        for (OwnerSeries &o : series.owners) {
            if (o.key == key)
                owner = &o;
        }
        if (!owner) {
            if (msecs < 0)
                continue;
            if (series.owners.size() >= kMaxOwnersPerGpu) {
                qsizetype stalest = 0;
                for (qsizetype i = 1; i < series.owners.size(); ++i) {
                    if (series.owners.at(i).samples.last().msecs
                        < series.owners.at(stalest).samples.last().msecs)
                        stalest = i;
                }
                series.owners.removeAt(stalest);
            }
            series.owners.append(OwnerSeries{key, {}, SampleRing<OwnerSample>(kSamples)});
            owner = &series.owners.last();
        }
        owner->label = labels.value(key);
        if (msecs >= 0)
            owner->samples.push(OwnerSample{msecs, bytes.value(key), small(smUtil.value(key))});
    }
    // Owners not seen for longer than the ring spans hold nothing worth keeping.
    if (msecs >= 0 && !series.samples.isEmpty()) {
        const qint64 oldest = series.samples.at(0).msecs;
        series.owners.removeIf([oldest](const OwnerSeries &o) {
            return !o.samples.isEmpty() && o.samples.last().msecs < oldest;
        });
    }
}

QStringList GpuHistory::uuids() const
{
    QStringList list;
    for (const GpuSeries &s : m_gpus)
        list << s.uuid;
    return list;
}

const GpuHistory::GpuSeries *GpuHistory::gpu(const QString &uuid) const
{
    for (const GpuSeries &s : m_gpus) {
        if (s.uuid == uuid)
            return &s;
    }
    return nullptr;
}

qsizetype GpuHistory::memoryBytes() const
{
    qsizetype total = sizeof(*this);
    for (const GpuSeries &s : m_gpus) {
        total += static_cast<qsizetype>(sizeof(GpuSeries)) + s.samples.memoryBytes();
        for (const OwnerSeries &o : s.owners)
            total += static_cast<qsizetype>(sizeof(OwnerSeries)) + o.samples.memoryBytes();
    }
    return total;
}

QList<GpuHistory::ContainerPoint> GpuHistory::containerUse(const QString &containerId,
                                                           const QStringList &heldGpus,
                                                           qint64 sinceMs) const
{
    QMap<qint64, ContainerPoint> points;
    if (containerId.isEmpty())
        return {};
    const QString prefix = QStringLiteral("container:") + containerId;
    for (const GpuSeries &s : m_gpus) {
        const OwnerSeries *owner = nullptr;
        for (const OwnerSeries &o : s.owners) {
            if (o.key.startsWith(prefix))
                owner = &o;
        }
        const bool held = heldGpus.contains(s.uuid);
        if (!owner && !held)
            continue;
        qsizetype at = 0; // the owner's next sample
        for (qsizetype i = 0; i < s.samples.size(); ++i) {
            const GpuSample &x = s.samples.at(i);
            qint64 bytes = -1;
            int smUtil = -1;
            if (owner) {
                const SampleRing<OwnerSample> &r = owner->samples;
                while (at < r.size() && r.at(at).msecs < x.msecs)
                    ++at;
                if (at < r.size() && r.at(at).msecs == x.msecs) {
                    bytes = r.at(at).memoryBytes;
                    smUtil = r.at(at).smUtil;
                }
            }
            if (bytes < 0 && !(held && x.msecs >= sinceMs))
                continue; // not the container's at this time
            ContainerPoint &p = points[x.msecs];
            p.msecs = x.msecs;
            p.memoryBytes += qMax<qint64>(0, bytes);
            // Its own processes' SM utilisation where NVML gave it, else the whole GPU's.
            p.gpuUtil = qMax(p.gpuUtil, smUtil >= 0 ? smUtil : int(x.gpuUtil));
        }
    }
    return points.values();
}

QByteArray GpuHistory::csv(const QString &uuid) const
{
    const GpuSeries *s = gpu(uuid);
    if (!s)
        return {};
    QByteArray out = "time,gpu_util_percent,memory_used_mib,temperature_c,power_w,sm_clock_mhz";
    for (const OwnerSeries &o : s->owners)
        out += ',' + csvField(o.label + QStringLiteral(" memory_mib"));
    out += '\n';
    QList<qsizetype> at(s->owners.size(), 0); // each owner's next sample
    for (qsizetype i = 0; i < s->samples.size(); ++i) {
        const GpuSample &x = s->samples.at(i);
        out += QDateTime::fromMSecsSinceEpoch(x.msecs, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
        out += ',' + number(x.gpuUtil) + ',' + number(x.memoryUsedMiB) + ',' + number(x.temperature)
               + ',';
        if (x.powerDeciW >= 0)
            out += QByteArray::number(x.powerDeciW / 10.0, 'f', 1);
        out += ',' + number(x.smClock);
        for (qsizetype k = 0; k < s->owners.size(); ++k) {
            const SampleRing<OwnerSample> &r = s->owners.at(k).samples;
            while (at[k] < r.size() && r.at(at[k]).msecs < x.msecs)
                ++at[k];
            out += ',';
            if (at[k] < r.size() && r.at(at[k]).msecs == x.msecs)
                out += number(r.at(at[k]).memoryBytes / kMiB);
            else
                out += '0';
        }
        out += '\n';
    }
    return out;
}
