#include "ContainerGpus.h"

#include <QRegularExpression>

#include <algorithm>
#include <climits>

namespace {

const QLatin1String kCdiGpuPrefix("nvidia.com/gpu=");

bool isIndex(const QString &token)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    return digits.match(token).hasMatch();
}

// "0:1", a MIG device by its GPU's index and its own: the GPU's index, else -1.
int migParentIndex(const QString &token)
{
    static const QRegularExpression mig(QStringLiteral("^([0-9]+):[0-9]+$"));
    const QRegularExpressionMatch match = mig.match(token);
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

bool asksForGpu(const QJsonObject &request)
{
    const QString driver = request.value(QLatin1String("Driver")).toString();
    if (driver == QLatin1String("nvidia"))
        return true;
    if (driver == QLatin1String("cdi")) {
        const QJsonArray ids = request.value(QLatin1String("DeviceIDs")).toArray();
        return std::any_of(ids.begin(), ids.end(), [](const QJsonValue &id) {
            return id.toString().startsWith(kCdiGpuPrefix);
        });
    }
    const QJsonArray andLists = request.value(QLatin1String("Capabilities")).toArray();
    return std::any_of(andLists.begin(), andLists.end(), [](const QJsonValue &list) {
        return list.toArray().contains(QJsonValue(QStringLiteral("gpu")));
    });
}

QStringList splitIds(const QJsonArray &ids)
{
    QStringList tokens;
    for (const QJsonValue &id : ids) {
        for (const QString &part : id.toString().split(QLatin1Char(','), Qt::SkipEmptyParts))
            tokens << part.trimmed();
    }
    return tokens;
}

// A CDI name's device part: "nvidia.com/gpu=0" -> "0"; empty for other kinds.
QString cdiDevice(const QString &name)
{
    return name.startsWith(kCdiGpuPrefix) ? name.mid(kCdiGpuPrefix.size()) : QString();
}

} // namespace

ContainerGpus ContainerGpus::fromTokens(const QStringList &tokens, const QString &request)
{
    ContainerGpus gpus;
    gpus.m_tokens = tokens;
    gpus.m_request = request;
    return gpus;
}

ContainerGpus ContainerGpus::fromInspect(const QJsonObject &inspect)
{
    const QJsonObject hostConfig = inspect.value(QLatin1String("HostConfig")).toObject();
    const QJsonObject config = inspect.value(QLatin1String("Config")).toObject();
    QStringList tokens;
    QStringList parts;

    const QJsonArray requests = hostConfig.value(QLatin1String("DeviceRequests")).toArray();
    for (const QJsonValue &value : requests) {
        const QJsonObject request = value.toObject();
        if (!asksForGpu(request))
            continue;
        const QStringList ids = splitIds(request.value(QLatin1String("DeviceIDs")).toArray());
        const int count = request.value(QLatin1String("Count")).toInt();
        if (request.value(QLatin1String("Driver")).toString() == QLatin1String("cdi")) {
            QStringList names;
            for (const QString &id : ids) {
                if (const QString device = cdiDevice(id); !device.isEmpty()) {
                    tokens << device;
                    names << id;
                }
            }
            parts << QStringLiteral("cdi ") + names.join(QLatin1Char(','));
        } else if (!ids.isEmpty()) {
            tokens << ids;
            parts << QStringLiteral("device=") + ids.join(QLatin1Char(','));
        } else if (count < 0) {
            tokens << QStringLiteral("all");
            parts << QStringLiteral("all");
        } else if (count > 0) {
            tokens << QStringLiteral("count=%1").arg(count);
            parts << QStringLiteral("count=%1").arg(count);
        }
    }

    // Podman keeps CDI devices as devices whose host path is the CDI name.
    QStringList cdiDevices;
    const QJsonArray devices = hostConfig.value(QLatin1String("Devices")).toArray();
    for (const QJsonValue &value : devices) {
        const QString name = value.toObject().value(QLatin1String("PathOnHost")).toString();
        if (const QString device = cdiDevice(name); !device.isEmpty()) {
            tokens << device;
            cdiDevices << name;
        }
    }
    if (!cdiDevices.isEmpty())
        parts << QStringLiteral("cdi ") + cdiDevices.join(QLatin1Char(','));

    // How older scripts ask: the nvidia runtime reads NVIDIA_VISIBLE_DEVICES itself. A device
    // request overrides it (the daemon sets the variable from the request).
    const QString runtime = hostConfig.value(QLatin1String("Runtime")).toString();
    if (tokens.isEmpty() && runtime.contains(QLatin1String("nvidia"))) {
        const QJsonArray env = config.value(QLatin1String("Env")).toArray();
        for (const QJsonValue &entry : env) {
            const QString text = entry.toString();
            if (!text.startsWith(QLatin1String("NVIDIA_VISIBLE_DEVICES=")))
                continue;
            const QString value = text.section(QLatin1Char('='), 1);
            if (value.isEmpty() || value == QLatin1String("none") || value == QLatin1String("void"))
                continue;
            tokens << value.split(QLatin1Char(','), Qt::SkipEmptyParts);
            parts << text;
        }
    }
    for (QString &token : tokens) {
        token = token.trimmed();
        if (token.compare(QLatin1String("all"), Qt::CaseInsensitive) == 0)
            token = QStringLiteral("all");
    }
    return fromTokens(tokens, parts.join(QStringLiteral("; ")));
}

QList<ContainerGpus::Gpu> ContainerGpus::held(const GpuSnapshot *host, bool *resolved) const
{
    QList<Gpu> gpus;
    const auto add = [&gpus](const Gpu &gpu) {
        if (!gpus.contains(gpu))
            gpus << gpu;
    };
    bool all = true;
    const bool known = host && host->ok();
    for (const QString &token : m_tokens) {
        bool matched = false;
        if (known) {
            for (const GpuInfo &gpu : host->gpus) {
                bool hit = false;
                if (token == QLatin1String("all"))
                    hit = true;
                else if (token.startsWith(QLatin1String("count=")))
                    hit = gpu.index >= 0 && gpu.index < token.mid(6).toInt();
                else if (isIndex(token))
                    hit = gpu.index == token.toInt();
                else if (token.startsWith(QLatin1String("MIG-"), Qt::CaseInsensitive))
                    hit = std::any_of(gpu.migDevices.begin(), gpu.migDevices.end(),
                                      [&token](const GpuInfo::MigDevice &mig) {
                                          return mig.uuid.compare(token, Qt::CaseInsensitive) == 0;
                                      });
                else if (const int parent = migParentIndex(token); parent >= 0)
                    hit = gpu.index == parent;
                else
                    hit = gpu.uuid.compare(token, Qt::CaseInsensitive) == 0;
                if (hit) {
                    add({gpu.index, gpu.uuid});
                    matched = true;
                }
            }
        }
        if (matched)
            continue;
        all = false;
        // What can be told without the host: the indexes or UUIDs as asked.
        if (token.startsWith(QLatin1String("count="))) {
            for (int i = 0; i < token.mid(6).toInt(); ++i)
                add({i, {}});
        } else if (isIndex(token)) {
            add({token.toInt(), {}});
        } else if (const int parent = migParentIndex(token); parent >= 0) {
            add({parent, {}});
        } else if (token.startsWith(QLatin1String("GPU-"), Qt::CaseInsensitive)) {
            add({-1, token});
        }
    }
    std::stable_sort(gpus.begin(), gpus.end(), [](const Gpu &a, const Gpu &b) {
        return (a.index < 0 ? INT_MAX : a.index) < (b.index < 0 ? INT_MAX : b.index);
    });
    if (resolved)
        *resolved = all;
    return gpus;
}

QStringList ContainerGpus::heldUuids(const GpuSnapshot &host) const
{
    QStringList uuids;
    for (const Gpu &gpu : held(&host)) {
        if (!gpu.uuid.isEmpty())
            uuids << gpu.uuid;
    }
    return uuids;
}

QJsonArray ContainerGpus::toJson(const QList<Gpu> &gpus)
{
    QJsonArray array;
    for (const Gpu &gpu : gpus) {
        QJsonObject entry;
        entry.insert(QStringLiteral("index"), gpu.index < 0 ? QJsonValue() : QJsonValue(gpu.index));
        entry.insert(QStringLiteral("uuid"),
                     gpu.uuid.isEmpty() ? QJsonValue() : QJsonValue(gpu.uuid));
        array.append(entry);
    }
    return array;
}
