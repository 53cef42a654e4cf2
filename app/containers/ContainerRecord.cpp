#include "ContainerRecord.h"

#include <QJsonArray>

namespace {

QDateTime engineTime(const QJsonValue &value)
{
    // "0001-01-01T00:00:00Z" is the engine's "never".
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() && time.date().year() > 1 ? time.toUTC() : QDateTime();
}

QString bareName(const QString &name)
{
    return name.startsWith(QLatin1Char('/')) ? name.mid(1) : name;
}

// docker's units.HumanDuration, which docker ps uses.
QString humanDuration(qint64 seconds)
{
    if (seconds < 1)
        return QStringLiteral("Less than a second");
    if (seconds == 1)
        return QStringLiteral("1 second");
    if (seconds < 60)
        return QStringLiteral("%1 seconds").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes == 1)
        return QStringLiteral("About a minute");
    if (minutes < 60)
        return QStringLiteral("%1 minutes").arg(minutes);
    const qint64 hours = (seconds + 1800) / 3600;
    if (hours == 1)
        return QStringLiteral("About an hour");
    if (hours < 48)
        return QStringLiteral("%1 hours").arg(hours);
    if (hours < 24 * 7 * 2)
        return QStringLiteral("%1 days").arg(hours / 24);
    if (hours < 24 * 30 * 2)
        return QStringLiteral("%1 weeks").arg(hours / 24 / 7);
    if (hours < 24 * 365 * 2)
        return QStringLiteral("%1 months").arg(hours / 24 / 30);
    return QStringLiteral("%1 years").arg(hours / 24 / 365);
}

} // namespace

const QString &ContainerRecord::presetLabel()
{
    static const QString label = QStringLiteral("io.github.gpudeck.preset");
    return label;
}

const QString &ContainerRecord::gpusLabel()
{
    static const QString label = QStringLiteral("io.github.gpudeck.gpus");
    return label;
}

ContainerRecord ContainerRecord::fromInspect(const QJsonObject &inspect,
                                             const QJsonObject &listEntry)
{
    ContainerRecord r;
    const QJsonObject config = inspect.value(QLatin1String("Config")).toObject();
    const QJsonObject state = inspect.value(QLatin1String("State")).toObject();
    r.id = inspect.value(QLatin1String("Id")).toString();
    r.name = bareName(inspect.value(QLatin1String("Name")).toString());
    r.image = config.value(QLatin1String("Image")).toString();
    if (r.image.isEmpty())
        r.image = listEntry.value(QLatin1String("Image")).toString();
    r.state = state.value(QLatin1String("Status")).toString();
    r.exitCode = state.value(QLatin1String("ExitCode")).toInt();
    r.createdAt = engineTime(inspect.value(QLatin1String("Created")));
    r.startedAt = engineTime(state.value(QLatin1String("StartedAt")));
    r.finishedAt = engineTime(state.value(QLatin1String("FinishedAt")));
    r.tty = config.value(QLatin1String("Tty")).toBool();
    r.openStdin = config.value(QLatin1String("OpenStdin")).toBool();
    r.labels = config.value(QLatin1String("Labels")).toObject();
    r.preset = r.labels.value(presetLabel()).toString();
    r.status = listEntry.value(QLatin1String("Status")).toString();
    r.gpus = ContainerGpus::fromInspect(inspect);
    return r;
}

ContainerRecord ContainerRecord::fromListEntry(const QJsonObject &entry)
{
    ContainerRecord r;
    r.id = entry.value(QLatin1String("Id")).toString();
    r.name = bareName(entry.value(QLatin1String("Names")).toArray().first().toString());
    r.image = entry.value(QLatin1String("Image")).toString();
    r.state = entry.value(QLatin1String("State")).toString();
    r.status = entry.value(QLatin1String("Status")).toString();
    r.createdAt = QDateTime::fromSecsSinceEpoch(entry.value(QLatin1String("Created")).toInteger(),
                                                Qt::UTC);
    r.labels = entry.value(QLatin1String("Labels")).toObject();
    r.preset = r.labels.value(presetLabel()).toString();
    return r;
}

QString ContainerRecord::statusText(const QDateTime &now) const
{
    if (state == QLatin1String("running") || state == QLatin1String("paused")) {
        const QString up = QStringLiteral("Up ") + humanDuration(startedAt.secsTo(now));
        return state == QLatin1String("paused") ? up + QStringLiteral(" (Paused)") : up;
    }
    if (state == QLatin1String("exited") || state == QLatin1String("dead")) {
        if (!finishedAt.isValid())
            return QStringLiteral("Exited (%1)").arg(exitCode);
        return QStringLiteral("Exited (%1) %2 ago")
            .arg(exitCode)
            .arg(humanDuration(finishedAt.secsTo(now)));
    }
    if (state == QLatin1String("created"))
        return QStringLiteral("Created");
    if (state == QLatin1String("restarting"))
        return QStringLiteral("Restarting (%1)").arg(exitCode);
    if (state == QLatin1String("removing"))
        return QStringLiteral("Removal In Progress");
    return state;
}

QJsonObject ContainerRecord::toJson(const GpuSnapshot *host) const
{
    bool resolved = false;
    const QList<ContainerGpus::Gpu> held = gpus.held(host, &resolved);
    QJsonObject o;
    o.insert(QStringLiteral("id"), id);
    o.insert(QStringLiteral("name"), name);
    o.insert(QStringLiteral("image"), image);
    o.insert(QStringLiteral("state"), state);
    o.insert(QStringLiteral("status"), status.isEmpty() ? statusText() : status);
    o.insert(QStringLiteral("exitCode"), exitCode);
    o.insert(QStringLiteral("createdAt"), createdAt.toString(Qt::ISODate));
    o.insert(QStringLiteral("engine"), engine);
    o.insert(QStringLiteral("preset"), preset.isEmpty() ? QJsonValue() : QJsonValue(preset));
    o.insert(QStringLiteral("gpus"), ContainerGpus::toJson(held));
    o.insert(QStringLiteral("gpuRequest"),
             gpus.asksForGpus() ? QJsonValue(gpus.request()) : QJsonValue());
    o.insert(QStringLiteral("gpusResolved"), !gpus.asksForGpus() || resolved);
    return o;
}
