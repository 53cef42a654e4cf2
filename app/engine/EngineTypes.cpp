#include "EngineTypes.h"

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
            || lower.startsWith(QLatin1String("nvcr.io/")) || lower.contains(QLatin1String("pytorch"))
            || lower.contains(QLatin1String("tensorflow")))
            return true;
    }
    return false;
}
