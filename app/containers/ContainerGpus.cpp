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

// A GPU's device node, /dev/nvidiaN: N, the GPU's minor number; else -1 (nvidiactl, nvidia-uvm,
// nvidia-caps/… are no GPU of their own).
int nodeMinor(const QString &path)
{
    static const QRegularExpression node(QStringLiteral("^/dev/nvidia([0-9]+)$"));
    const QRegularExpressionMatch match = node.match(path);
    return match.hasMatch() ? match.captured(1).toInt() : -1;
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

    // Devices: a CDI name as the host path (how a request reads before Podman resolves it), or a
    // GPU's device node, which is all Podman's inspect keeps of a CDI device once the container
    // has started (and how `--device /dev/nvidia0` asks). A CDI spec may map a node from another
    // host path; the path in the container is then the one that names the GPU.
    QStringList cdiDevices;
    QStringList nodes;
    const QJsonArray devices = hostConfig.value(QLatin1String("Devices")).toArray();
    for (const QJsonValue &value : devices) {
        const QJsonObject mapping = value.toObject();
        const QString name = mapping.value(QLatin1String("PathOnHost")).toString();
        if (const QString device = cdiDevice(name); !device.isEmpty()) {
            tokens << device;
            cdiDevices << name;
            continue;
        }
        QString node = name;
        if (nodeMinor(node) < 0)
            node = mapping.value(QLatin1String("PathInContainer")).toString();
        if (nodeMinor(node) >= 0 && !nodes.contains(node)) {
            tokens << node;
            nodes << node;
        }
    }
    if (!cdiDevices.isEmpty())
        parts << QStringLiteral("cdi ") + cdiDevices.join(QLatin1Char(','));
    if (!nodes.isEmpty())
        parts << QStringLiteral("device nodes ") + nodes.join(QLatin1Char(','));

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
    // Device nodes name GPUs by minor number, which only NVML gives (nvidia-smi has no query
    // field for it). Without them (a host read through nvidia-smi: over ssh, or without
    // libnvidia-ml), /dev/nvidiaN is taken as index N: the driver numbers its nodes in the order
    // it finds the GPUs, which is NVML's PCI order on nearly every host.
    const bool minorsKnown = known
                             && std::any_of(host->gpus.begin(), host->gpus.end(),
                                            [](const GpuInfo &gpu) {
                                                return gpu.minorNumber >= 0;
                                            });
    for (const QString &token : m_tokens) {
        bool matched = false;
        const int minor = nodeMinor(token);
        if (known) {
            for (const GpuInfo &gpu : host->gpus) {
                bool hit = false;
                if (minor >= 0)
                    hit = (minorsKnown ? gpu.minorNumber : gpu.index) == minor;
                else if (token == QLatin1String("all"))
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
