#include "EngineTypes.h"

bool isPodmanVersion(const QJsonObject &version)
{
    const QJsonArray components = version.value(QStringLiteral("Components")).toArray();
    for (const QJsonValue &component : components) {
        if (component.toObject().value(QStringLiteral("Name")).toString()
            == QLatin1String("Podman Engine"))
            return true;
    }
    return false;
}

int compareDottedVersions(const QString &a, const QString &b)
{
    const auto parts = [](const QString &v) {
        QList<int> numbers;
        // "26.1.5+dfsg1" and "5.4.0-rc1" compare by their leading numbers.
        for (const QString &part : v.section(QLatin1Char('+'), 0, 0)
                                       .section(QLatin1Char('-'), 0, 0)
                                       .split(QLatin1Char('.')))
            numbers.append(part.toInt());
        return numbers;
    };
    const QList<int> pa = parts(a);
    const QList<int> pb = parts(b);
    for (qsizetype i = 0; i < qMax(pa.size(), pb.size()); ++i) {
        const int x = pa.value(i);
        const int y = pb.value(i);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

QString EngineInfo::productName() const
{
    return (isPodman() ? QStringLiteral("Podman ") : QStringLiteral("Docker ")) + serverVersion;
}

QString ImageSummary::displayName() const
{
    for (const QString &tag : repoTags) {
        if (tag != QLatin1String("<none>:<none>") && !tag.isEmpty())
            return tag;
    }
    QString shortId = id;
    if (shortId.startsWith(QLatin1String("sha256:")))
        shortId = shortId.mid(7);
    return shortId.left(12);
}

bool EngineInfo::isSwarmManager() const
{
    return raw.value(QStringLiteral("Swarm"))
        .toObject()
        .value(QStringLiteral("ControlAvailable"))
        .toBool();
}

bool ImageSummary::looksGpuReady() const
{
    for (auto it = labels.constBegin(); it != labels.constEnd(); ++it) {
        const QString key = it.key().toLower();
        if (key.startsWith(QLatin1String("com.nvidia.")) || key.contains(QLatin1String("cuda")))
            return true;
    }
    for (const QString &tag : repoTags) {
        const QString lower = tag.toLower();
        if (lower.contains(QLatin1String("cuda")) || lower.startsWith(QLatin1String("nvidia/"))
            || lower.startsWith(QLatin1String("nvcr.io/"))
            || lower.contains(QLatin1String("pytorch"))
            || lower.contains(QLatin1String("tensorflow")))
            return true;
    }
    return false;
}
