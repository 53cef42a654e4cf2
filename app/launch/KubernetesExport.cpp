#include "KubernetesExport.h"

#include "LaunchSpec.h"
#include "YamlText.h"

#include "ByteSize.h"
#include "PortMapping.h"
#include "common/Error.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace {

using YamlText::quoted;

QString dnsLabel(const QString &text)
{
    QString label = text.toLower();
    label.replace(QRegularExpression(QStringLiteral("[^a-z0-9-]+")), QStringLiteral("-"));
    label.replace(QRegularExpression(QStringLiteral("-+")), QStringLiteral("-"));
    label = label.left(63);
    label.remove(QRegularExpression(QStringLiteral("^-+|-+$")));
    return label;
}

// The inventory's GPU for a picked device: an index, a GPU UUID, a MIG UUID or "GPU:MIG".
const GpuInfo *findGpu(const QList<GpuInfo> &inventory, const QString &id)
{
    for (const GpuInfo &gpu : inventory) {
        if (id == QString::number(gpu.index) || id == gpu.uuid)
            return &gpu;
        for (const GpuInfo::MigDevice &mig : gpu.migDevices) {
            if (id == mig.uuid || id == mig.indexName)
                return &gpu;
        }
    }
    return nullptr;
}

struct GpuRequest
{
    int count = 0;
    QStringList comments; // above the limit
    QString product;      // for the nodeSelector; empty: none
    QStringList productComments;
};

Result<GpuRequest> gpuRequest(const LaunchSpec &spec, const QList<GpuInfo> &inventory)
{
    GpuRequest request;
    const bool cdi = spec.usesCdi();
    const bool all = spec.gpus.mode == GpuSelection::Mode::All
                     || (cdi && spec.gpus.devices.size() == 1
                         && spec.gpus.devices.first().endsWith(QLatin1String("=all")));
    switch (spec.gpus.mode) {
    case GpuSelection::Mode::None: return request;
    case GpuSelection::Mode::Count:
    case GpuSelection::Mode::Free: // the device plugin hands out unallocated GPUs only
        request.count = spec.gpus.count;
        return request;
    case GpuSelection::Mode::All:
    case GpuSelection::Mode::Devices: break;
    }
    if (all) {
        if (inventory.isEmpty()) {
            return Error(
                Error::Code::Unsupported,
                QStringLiteral("The Kubernetes export cannot ask for all GPUs"),
                QStringLiteral(
                    "the device plugin hands out a number of GPUs, and this host's number is "
                    "not known (no NVIDIA driver answered)"),
                QStringLiteral("pick a GPU count in the preset instead"));
        }
        request.count = int(inventory.size());
        request.comments
            << QStringLiteral(
                   "\"All GPUs\" has no Kubernetes form: this asks for this host's %1, so the Job")
                   .arg(inventory.size() == 1 ? QStringLiteral("1 GPU")
                                              : QStringLiteral("%1 GPUs").arg(inventory.size()))
            << QStringLiteral("runs only on a node with at least that many free.");
        return request;
    }
    request.count = int(spec.gpus.devices.size());
    request.comments
        << QStringLiteral("The device plugin cannot pin GPUs: the preset picks %1, and the node")
               .arg(spec.gpus.devices.join(QStringLiteral(", ")))
        << QStringLiteral("chooses which %1 of its GPUs the Job gets.").arg(request.count);
    QStringList products;
    QStringList unknown;
    for (const QString &id : spec.gpus.devices) {
        const QString local = cdi ? id.section(QLatin1Char('='), 1) : id;
        if (const GpuInfo *gpu = findGpu(inventory, local); gpu && !gpu->name.isEmpty())
            products << KubernetesExport::productLabel(gpu->name);
        else
            unknown << id;
    }
    products.removeDuplicates();
    if (!unknown.isEmpty()) {
        request.productComments
            << QStringLiteral(
                   "No nodeSelector: %1 not in this host's GPU list, so the product is not known.")
                   .arg(unknown.join(QStringLiteral(", "))
                        + (unknown.size() == 1 ? QStringLiteral(" is") : QStringLiteral(" are")));
    } else if (products.size() > 1) {
        request.productComments
            << QStringLiteral("No nodeSelector: the picked GPUs are different products (%1).")
                   .arg(products.join(QStringLiteral(", ")));
    } else if (!products.isEmpty()) {
        request.product = products.first();
    }
    return request;
}

} // namespace

QString KubernetesExport::productLabel(const QString &gpuName)
{
    QString label = gpuName.trimmed();
    label.replace(QRegularExpression(QStringLiteral("\\s+")), QStringLiteral("-"));
    return label;
}

QString KubernetesExport::jobName(const LaunchSpec &spec)
{
    if (const QString name = dnsLabel(spec.containerName); !name.isEmpty())
        return name;
    QString image = spec.image.section(QLatin1Char('@'), 0, 0).section(QLatin1Char('/'), -1);
    image = image.section(QLatin1Char(':'), 0, 0);
    const QString name = dnsLabel(QStringLiteral("gpudeck-") + image);
    return name.isEmpty() ? QStringLiteral("gpudeck") : name;
}

Result<QString> KubernetesExport::yaml(const LaunchSpec &spec, const QList<GpuInfo> &inventory)
{
    const Result<GpuRequest> gpus = gpuRequest(spec, inventory);
    if (!gpus)
        return gpus.error();
    const QString pod = QStringLiteral("      ");        // the pod spec's fields
    const QString ctr = QStringLiteral("          ");    // the container's fields
    const QString item = QStringLiteral("            "); // items of a container's list

    QString text =
        QStringLiteral(
            "# Exported by GPU Deck. Submit it with: kubectl apply -f THIS_FILE\n"
            "# (GPUs come from the NVIDIA device plugin or GPU Operator on the cluster.)\n"
            "apiVersion: batch/v1\n"
            "kind: Job\n"
            "metadata:\n"
            "  name: %1\n"
            "spec:\n"
            "  backoffLimit: 0\n"
            "  template:\n"
            "    spec:\n")
            .arg(quoted(jobName(spec)));
    text += pod + QStringLiteral("restartPolicy: Never\n");
    const QString &runtime = spec.runtime;
    if (!runtime.isEmpty()) {
        text += pod
                + QStringLiteral("# The engine's runtime \"%1\" as a RuntimeClass of that name, "
                                 "which must exist.\n")
                      .arg(runtime);
        text += pod + QStringLiteral("runtimeClassName: ") + quoted(runtime) + QLatin1Char('\n');
    }
    const QString &ipc = spec.ipcMode;
    if (ipc == QLatin1String("host"))
        text += pod + QStringLiteral("hostIPC: true\n");
    else if (!ipc.isEmpty() && ipc != QLatin1String("private") && ipc != QLatin1String("shareable"))
        text += pod
                + QStringLiteral("# The IPC mode \"%1\" has no Kubernetes form and is left out.\n")
                      .arg(ipc);
    const QString &network = spec.networkMode;
    if (network == QLatin1String("host"))
        text += pod + QStringLiteral("hostNetwork: true\n");
    else if (!network.isEmpty())
        text += pod
                + QStringLiteral(
                      "# The network \"%1\" is the engine's; the pod gets the cluster's network.\n")
                      .arg(network);
    for (const QString &line : gpus.value().productComments)
        text += pod + QStringLiteral("# ") + line + QLatin1Char('\n');
    if (!gpus.value().product.isEmpty()) {
        text += pod
                + QStringLiteral(
                    "# The picked GPUs' product, as GPU feature discovery labels nodes.\n");
        text += pod + QStringLiteral("nodeSelector:\n") + pod
                + QStringLiteral("  nvidia.com/gpu.product: ") + quoted(gpus.value().product)
                + QLatin1Char('\n');
    }

    text += pod + QStringLiteral("containers:\n");
    text += pod + QStringLiteral("  - name: \"main\"\n");
    text += ctr + QStringLiteral("image: ") + quoted(spec.image) + QLatin1Char('\n');
    if (spec.entrypoint) {
        // Docker's Entrypoint is Kubernetes' command.
        text += ctr + QStringLiteral("command:\n");
        for (const QString &arg : *spec.entrypoint)
            text += item + QStringLiteral("- ") + quoted(arg) + QLatin1Char('\n');
    }
    if (!spec.workdir.isEmpty())
        text += ctr + QStringLiteral("workingDir: ") + quoted(spec.workdir) + QLatin1Char('\n');
    if (spec.interactive)
        text += ctr + QStringLiteral("stdin: true\n");
    if (!spec.user.isEmpty()) {
        // Kubernetes takes numeric ids only; a user name stays the image's business.
        const QStringList ids = spec.user.split(QLatin1Char(':'));
        bool uidOk = false;
        bool gidOk = false;
        const qint64 uid = ids.first().toLongLong(&uidOk);
        const qint64 gid = ids.size() > 1 ? ids.at(1).toLongLong(&gidOk) : 0;
        if (uidOk) {
            text += ctr + QStringLiteral("securityContext:\n");
            text += ctr + QStringLiteral("  runAsUser: %1\n").arg(uid);
            if (gidOk)
                text += ctr + QStringLiteral("  runAsGroup: %1\n").arg(gid);
        } else {
            text +=
                ctr
                + QStringLiteral("# user %1: Kubernetes takes numeric ids only.\n").arg(spec.user);
        }
    }
    if (!spec.ulimits.isEmpty())
        text += ctr
                + QStringLiteral("# ulimits %1: set them on the node, Kubernetes has no field.\n")
                      .arg(spec.ulimits.join(QStringLiteral(", ")));
    if (!spec.command.isEmpty()) {
        // Docker's Cmd is Kubernetes' args: both keep the image's entrypoint.
        text += ctr + QStringLiteral("args:\n");
        for (const QString &arg : spec.command)
            text += item + QStringLiteral("- ") + quoted(arg) + QLatin1Char('\n');
    }
    QList<std::pair<QString, QString>> env;
    for (const QString &entry : spec.env)
        env.append({entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1)});
    QStringList caps = spec.requestCapabilities();
    caps.removeAll(QStringLiteral("gpu"));
    const bool setsCaps = spec.usesGpus() && !spec.usesCdi() && !caps.isEmpty();
    if (!env.isEmpty() || setsCaps) {
        text += ctr + QStringLiteral("env:\n");
        for (const auto &[name, value] : env)
            text += item + QStringLiteral("- name: ") + quoted(name) + QLatin1Char('\n') + item
                    + QStringLiteral("  value: ") + quoted(value) + QLatin1Char('\n');
        if (setsCaps) {
            text += item
                    + QStringLiteral(
                        "# What the engine derives from the capabilities; the toolkit reads it.\n");
            text += item + QStringLiteral("- name: \"NVIDIA_DRIVER_CAPABILITIES\"\n") + item
                    + QStringLiteral("  value: ") + quoted(caps.join(QLatin1Char(',')))
                    + QLatin1Char('\n');
        }
    }
    if (spec.tty)
        text += ctr + QStringLiteral("tty: true\n");
    const QJsonObject exposed = PortMappings::exposedPorts(spec.ports);
    if (!exposed.isEmpty()) {
        text += ctr
                + QStringLiteral("# Published on the engine's host as %1;\n")
                      .arg(spec.ports.join(QStringLiteral(", ")))
                + ctr
                + QStringLiteral("# a Job's ports are reached with kubectl port-forward pod/POD "
                                 "LOCAL_PORT:CONTAINER_PORT.\n");
        text += ctr + QStringLiteral("ports:\n");
        QList<std::pair<int, QString>> ports;
        for (const QString &key : exposed.keys())
            ports.append({key.section(QLatin1Char('/'), 0, 0).toInt(),
                          key.section(QLatin1Char('/'), 1, 1).toUpper()});
        std::sort(ports.begin(), ports.end());
        for (const auto &[port, protocol] : ports)
            text += item + QStringLiteral("- containerPort: %1\n").arg(port) + item
                    + QStringLiteral("  protocol: ") + quoted(protocol) + QLatin1Char('\n');
    }
    if (gpus.value().count > 0) {
        text += ctr + QStringLiteral("resources:\n") + ctr + QStringLiteral("  limits:\n");
        for (const QString &line : gpus.value().comments)
            text += ctr + QStringLiteral("    # ") + line + QLatin1Char('\n');
        text += ctr + QStringLiteral("    nvidia.com/gpu: %1\n").arg(gpus.value().count);
    }

    // /dev/shm: a memory-backed emptyDir of the size asked for (the pod's default is 64 MiB).
    QStringList mounts;
    QStringList volumes;
    if (const std::optional<qint64> shmBytes = ByteSize::ifSet(spec.shmSize)) {
        mounts << item + QStringLiteral("- name: \"dshm\"\n") + item
                      + QStringLiteral("  mountPath: \"/dev/shm\"\n");
        volumes << pod + QStringLiteral("  - name: \"dshm\"\n") + pod
                       + QStringLiteral("    emptyDir:\n") + pod
                       + QStringLiteral("      medium: Memory\n") + pod
                       + QStringLiteral("      sizeLimit: \"%1\"\n").arg(*shmBytes);
    }
    const QStringList &binds = spec.binds;
    for (int i = 0; i < binds.size(); ++i) {
        const QStringList parts = binds.at(i).split(QLatin1Char(':'));
        const QString name = QStringLiteral("bind-%1").arg(i);
        const QStringList options = parts.value(2).split(QLatin1Char(','), Qt::SkipEmptyParts);
        mounts << item + QStringLiteral("- name: ") + quoted(name) + QLatin1Char('\n') + item
                      + QStringLiteral("  mountPath: ") + quoted(parts.value(1)) + QLatin1Char('\n')
                      + (options.contains(QStringLiteral("ro"))
                             ? item + QStringLiteral("  readOnly: true\n")
                             : QString());
        const QString source = parts.value(0);
        if (source.startsWith(QLatin1Char('/'))) {
            volumes << pod
                           + QStringLiteral("  # The bind %1 as a path on whichever node runs the "
                                            "Job: it must hold the same files there.\n")
                                 .arg(binds.at(i))
                           + pod + QStringLiteral("  - name: ") + quoted(name) + QLatin1Char('\n')
                           + pod + QStringLiteral("    hostPath:\n") + pod
                           + QStringLiteral("      path: ") + quoted(source) + QLatin1Char('\n');
        } else {
            volumes << pod
                           + QStringLiteral(
                                 "  # The engine's volume \"%1\" as a PersistentVolumeClaim of "
                                 "that name, which must exist.\n")
                                 .arg(source)
                           + pod + QStringLiteral("  - name: ") + quoted(name) + QLatin1Char('\n')
                           + pod + QStringLiteral("    persistentVolumeClaim:\n") + pod
                           + QStringLiteral("      claimName: ") + quoted(dnsLabel(source))
                           + QLatin1Char('\n');
        }
    }
    if (!mounts.isEmpty())
        text += ctr + QStringLiteral("volumeMounts:\n") + mounts.join(QString());
    if (!volumes.isEmpty())
        text += pod + QStringLiteral("volumes:\n") + volumes.join(QString());
    return text;
}
