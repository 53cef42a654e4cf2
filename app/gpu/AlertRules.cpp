#include "AlertRules.h"

#include <QDateTime>

namespace {

QString gpuName(const GpuInfo &g)
{
    return g.name.isEmpty() ? QStringLiteral("GPU %1").arg(g.index)
                            : QStringLiteral("GPU %1 (%2)").arg(g.index).arg(g.name);
}

QString holdersOf(const GpuInfo &g)
{
    QStringList names;
    for (const GpuInfo::Process &p : g.processes) {
        const QString label = p.ownerLabel();
        if (!names.contains(label))
            names << label;
    }
    return names.join(QStringLiteral(", "));
}

QString minutes(qint64 ms)
{
    const qint64 m = ms / 60000;
    return m == 1 ? QStringLiteral("1 minute") : QStringLiteral("%1 minutes").arg(m);
}

} // namespace

QList<GpuAlert> AlertRules::check(const GpuSnapshot &snapshot)
{
    QList<GpuAlert> alerts;
    const qint64 now = snapshot.taken.isValid() ? snapshot.taken.toMSecsSinceEpoch()
                                                : QDateTime::currentMSecsSinceEpoch();
    const auto raise = [&](GpuAlert::Kind kind, const GpuInfo &g, const QString &text,
                           const QString &container = {}) {
        alerts.append(GpuAlert{kind, g.uuid, container, text, now, {}});
    };

    // Per container: is every GPU it holds at 0 % (known) now?
    QHash<QString, bool> containerIdle;
    QHash<QString, QString> containerName;
    QHash<QString, QStringList> containerGpus;
    for (const GpuInfo &g : snapshot.gpus) {
        if (g.uuid.isEmpty() || !g.error.isEmpty())
            continue;
        GpuState &st = m_gpus[g.uuid];
        // Busy means processes on it; a GPU whose processes cannot be read is neither.
        if (g.processesKnown) {
            const bool busy = !g.processes.isEmpty();
            if (st.seen && st.busy && !busy && m_settings.gpuFree) {
                raise(GpuAlert::Kind::GpuFree, g,
                      QStringLiteral("%1 is free now (it was held by %2).")
                          .arg(gpuName(g), st.holders));
            }
            if (busy)
                st.holders = holdersOf(g);
            st.busy = busy;
            st.seen = true;
        }
        if (g.xidCount >= 0) {
            // Counted since the events were first watched: errors seen at the first sight of the
            // GPU are new too.
            const qint64 before = qMax<qint64>(0, st.xid);
            if (g.xidCount > before && m_settings.hardware) {
                const qint64 n = g.xidCount - before;
                const QString meaning = xidMeaning(g.lastXid);
                const QString xid = QStringLiteral("%1%2").arg(g.lastXid).arg(
                    meaning.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(meaning));
                const QString on = holdersOf(g);
                raise(GpuAlert::Kind::XidError, g,
                      (n == 1
                           ? QStringLiteral("%1 reported XID error %2%3.")
                                 .arg(gpuName(g), xid,
                                      on.isEmpty() ? QString() : QStringLiteral("; on it: ") + on)
                           : QStringLiteral("%1 reported %2 XID errors, the last XID %3%4.")
                                 .arg(gpuName(g))
                                 .arg(n)
                                 .arg(xid, on.isEmpty() ? QString()
                                                        : QStringLiteral("; on it: ") + on)));
            }
            st.xid = g.xidCount;
        }
        if (g.eccUncorrected >= 0) {
            if (st.ecc >= 0 && g.eccUncorrected > st.ecc && m_settings.hardware) {
                const QString on = holdersOf(g);
                raise(GpuAlert::Kind::EccErrors, g,
                      QStringLiteral("%1 reported %2 new uncorrected ECC error(s), %3 since the "
                                     "driver loaded%4.")
                          .arg(gpuName(g))
                          .arg(g.eccUncorrected - st.ecc)
                          .arg(g.eccUncorrected)
                          .arg(on.isEmpty() ? QString() : QStringLiteral("; on it: ") + on));
            }
            st.ecc = g.eccUncorrected;
        }
        if (g.throttleReasons >= 0) {
            const bool thermal = g.throttleReasons & kThermalReasons;
            const bool power = g.throttleReasons & kPowerReasons;
            const bool throttled = thermal || power;
            if (throttled && !st.throttled && m_settings.hardware) {
                const QString on = holdersOf(g);
                raise(GpuAlert::Kind::Throttling, g,
                      QStringLiteral("%1 is slowing down for %2%3%4.")
                          .arg(gpuName(g),
                               thermal && power ? QStringLiteral("heat and power")
                               : thermal        ? QStringLiteral("heat")
                                                : QStringLiteral("power"),
                               g.temperature >= 0 ? QStringLiteral(" at %1 °C").arg(g.temperature)
                                                  : QString(),
                               on.isEmpty() ? QString() : QStringLiteral("; on it: ") + on));
            }
            st.throttled = throttled;
        }
        for (const GpuInfo::Process &p : g.processes) {
            if (!p.inContainer())
                continue;
            const QString &id = p.container.id;
            const bool idle = g.gpuUtil == 0;
            containerIdle[id] = containerIdle.value(id, true) && idle;
            if (!p.container.name.isEmpty() || !containerName.contains(id))
                containerName[id] = p.container.name.isEmpty() ? id.left(12) : p.container.name;
            const QString label = QStringLiteral("GPU %1").arg(g.index);
            if (!containerGpus[id].contains(label))
                containerGpus[id] << label;
        }
    }

    // Containers gone drop their streak; those that worked start again.
    for (auto it = m_containers.begin(); it != m_containers.end();) {
        if (!containerIdle.contains(it.key()))
            it = m_containers.erase(it);
        else
            ++it;
    }
    for (auto it = containerIdle.cbegin(); it != containerIdle.cend(); ++it) {
        IdleState &st = m_containers[it.key()];
        st.name = containerName.value(it.key());
        st.gpus = containerGpus.value(it.key());
        if (!it.value()) {
            st.idleSince = -1;
            st.told = false;
            continue;
        }
        if (st.idleSince < 0)
            st.idleSince = now;
        const qint64 idleFor = now - st.idleSince;
        if (!st.told && m_settings.idleContainer
            && idleFor >= qint64(m_settings.idleMinutes) * 60000) {
            st.told = true;
            GpuInfo first;
            for (const GpuInfo &g : snapshot.gpus) {
                for (const GpuInfo::Process &p : g.processes) {
                    if (p.container.id == it.key() && first.uuid.isEmpty())
                        first = g;
                }
            }
            raise(GpuAlert::Kind::IdleContainer, first,
                  QStringLiteral("Container %1 has held %2 at 0 % utilisation for %3; stop it to "
                                 "free the GPU?")
                      .arg(st.name, st.gpus.join(QStringLiteral(", ")), minutes(idleFor)),
                  it.key());
            alerts.last().containerName = st.name;
        }
    }
    return alerts;
}

QString AlertRules::xidMeaning(qint64 xid)
{
    switch (xid) {
    case 13: return QStringLiteral("graphics engine exception");
    case 31: return QStringLiteral("GPU memory page fault");
    case 43: return QStringLiteral("GPU stopped processing");
    case 45: return QStringLiteral("preemptive cleanup");
    case 48: return QStringLiteral("double-bit ECC error");
    case 61:
    case 62: return QStringLiteral("internal micro-controller error");
    case 63:
    case 64: return QStringLiteral("ECC page retirement");
    case 74: return QStringLiteral("NVLink error");
    case 79: return QStringLiteral("fallen off the bus");
    case 92: return QStringLiteral("high single-bit ECC error rate");
    case 94: return QStringLiteral("contained ECC error");
    case 95: return QStringLiteral("uncontained ECC error");
    case 119:
    case 120: return QStringLiteral("GSP error");
    default: return {};
    }
}

QString AlertRules::duration(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms) / 1000;
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 s").arg(s);
}

std::optional<GpuAlert> AlertRules::launchFinished(const QString &name,
                                                   std::optional<qint64> exitCode,
                                                   qint64 durationMs, bool windowInFront,
                                                   qint64 nowMs) const
{
    if (windowInFront || !m_settings.launchFinished)
        return std::nullopt;
    GpuAlert alert;
    alert.kind = GpuAlert::Kind::LaunchFinished;
    alert.containerName = name;
    alert.msecs = nowMs;
    alert.text = exitCode ? QStringLiteral("%1 finished with exit code %2 after %3.")
                                .arg(name)
                                .arg(*exitCode)
                                .arg(duration(durationMs))
                          : QStringLiteral("%1 did not run: the launch failed after %2.")
                                .arg(name, duration(durationMs));
    return alert;
}
