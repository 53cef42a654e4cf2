#include "Doctor.h"

#include "engine/CdiSpecVersions.h"
#include "engine/DockerClient.h"
#include "engine/EngineError.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuSnapshot.h"
#include "launch/CudaRequirement.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>

#include <memory>
#include <optional>

namespace {

// The toolkit is not in Debian's or Ubuntu's archive: the command adds NVIDIA's apt repository
// and its signing key first, as NVIDIA's install guide for apt does, so that it works as written.
const QString kToolkitCommand = QStringLiteral(
    "sudo apt-get update && sudo apt-get install -y curl gnupg && "
    "curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey"
    " | sudo gpg --yes --dearmor -o /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg && "
    "curl -fsSL "
    "https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list"
    " | sed 's#deb https://#deb "
    "[signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] https://#g'"
    " | sudo tee /etc/apt/sources.list.d/nvidia-container-toolkit.list >/dev/null && "
    "sudo apt-get update && sudo apt-get install -y nvidia-container-toolkit && "
    "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker");

const QString kCdiGenerate = QStringLiteral(
    "sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml");
const QString kCdiEnable = QStringLiteral("sudo nvidia-ctk runtime configure --runtime=docker "
                                          "--cdi.enabled && sudo systemctl restart docker");

// A swarm task that reserves GPUs gets their UUIDs in this variable; the toolkit's hook reads it
// only when its swarm-resource setting names it (its default names DOCKER_RESOURCE_GPU).
const QString kSwarmVariable = QStringLiteral("DOCKER_RESOURCE_NVIDIA-GPU");
const QString kSwarmResourceCommand = QStringLiteral(
    "sudo nvidia-ctk config --in-place --set swarm-resource=DOCKER_RESOURCE_NVIDIA-GPU");

// The toolkit's config file (GPUDECK_TOOLKIT_CONFIG for tests); its swarm-resource value, empty
// when it is not set (or the line is commented out), nullopt when there is no such file.
std::optional<QString> toolkitSwarmResource()
{
    const QString path = qEnvironmentVariable("GPUDECK_TOOLKIT_CONFIG",
                                              QStringLiteral(
                                                  "/etc/nvidia-container-runtime/config.toml"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    static const QRegularExpression line(QStringLiteral(
                                             R"re(^\s*swarm-resource\s*=\s*"([^"]*)")re"),
                                         QRegularExpression::MultilineOption);
    return line.match(QString::fromUtf8(file.readAll())).captured(1);
}

// Images that are likely to have `true`; any local image works for the probe, since the
// device request is resolved before the command is looked up.
const char *const kProbeImagePreference[] = {"gpudeck-test", "busybox", "alpine",
                                             "debian",       "ubuntu",  "nvidia/cuda"};

} // namespace

Doctor::Doctor(DockerClient *client, GpuInventory *inventory, QObject *parent)
    : QObject(parent), m_client(client), m_inventory(inventory)
{
}

QString Doctor::statusName(Status status)
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

bool Doctor::passed() const
{
    for (const Check &check : m_checks) {
        if (check.status == Status::Fail)
            return false;
    }
    return true;
}

int Doctor::indexOf(const QString &id) const
{
    for (int i = 0; i < m_checks.size(); ++i) {
        if (m_checks.at(i).id == id)
            return i;
    }
    return -1;
}

void Doctor::set(const QString &id, Status status, const QString &detail, const QString &fix,
                 const QString &command)
{
    const int index = indexOf(id);
    if (index < 0)
        return;
    Check &check = m_checks[index];
    check.status = status;
    check.detail = detail;
    check.fix = fix;
    check.command = command;
    emit checkChanged(index);
    maybeFinish();
}

void Doctor::run(const QList<LaunchSpec> &presets)
{
    m_presets = presets;
    m_finished = false;
    m_engineOk = false;
    m_haveSnapshot = false;
    m_cdi = {};
    delete m_calls;
    m_calls = new QObject(this);
    m_checks = {
        {QStringLiteral("engine"), tr("Docker engine reachable"), Status::Pending, {}, {}, {}},
        {QStringLiteral("socket"),
         tr("You may use the engine (its socket, or a safe connection to it)"),
         Status::Pending,
         {},
         {},
         {}},
        {QStringLiteral("driver"), tr("NVIDIA driver on the host"), Status::Pending, {}, {}, {}},
        {QStringLiteral("gpu-request"),
         tr("The engine can hand out GPUs"),
         Status::Pending,
         {},
         {},
         {}},
        {QStringLiteral("runtime"),
         tr("The \"nvidia\" runtime is registered"),
         Status::Pending,
         {},
         {},
         {}},
        {QStringLiteral("cdi"),
         tr("CDI specifications for CDI devices"),
         Status::Pending,
         {},
         {},
         {}},
        {QStringLiteral("cuda"),
         tr("The driver runs the CUDA of the GPU presets' images"),
         Status::Pending,
         {},
         {},
         {}},
        {QStringLiteral("swarm"),
         tr("Swarm tasks can reserve this node's GPUs"),
         Status::Pending,
         {},
         {},
         {}},
    };
    m_client->info(m_calls, [this](const Result<EngineInfo> &info) { onEngine(info); });
    connect(
        m_inventory, &GpuInventory::finished, m_calls,
        [this](const GpuSnapshot &snapshot) { onGpus(snapshot); }, Qt::SingleShotConnection);
    if (!m_inventory->refresh()) {
        // A read is under way already; its result arrives through the same signal.
    }
}

void Doctor::onEngine(const Result<EngineInfo> &info)
{
    const QString where = m_client->endpoint().url;
    if (!info) {
        const Error &error = info.error();
        const bool local = !m_client->endpoint().isRemote();
        set(QStringLiteral("engine"), Status::Fail, error.message(), error.hint(),
            local
                    && (error.code() == Error::Code::SocketNotFound
                        || error.code() == Error::Code::ConnectionFailed)
                ? QStringLiteral("sudo systemctl start docker")
                : QString());
        if (error.code() == Error::Code::PermissionDenied) {
            set(QStringLiteral("socket"), Status::Fail,
                tr("Permission denied on %1.").arg(local ? m_client->endpoint().socketPath : where),
                local ? tr("Add your user to the docker group, then log out and in again.")
                      : error.hint(),
                local ? QStringLiteral("sudo usermod -aG docker \"$USER\"") : QString());
        } else {
            set(QStringLiteral("socket"), Status::Skip,
                tr("Not checked: the engine did not answer."));
        }
        const QString skipped = tr("Not checked: the engine did not answer.");
        set(QStringLiteral("gpu-request"), Status::Skip, skipped);
        set(QStringLiteral("runtime"), Status::Skip, skipped);
        set(QStringLiteral("cdi"), Status::Skip, skipped);
        set(QStringLiteral("cuda"), Status::Skip, skipped);
        set(QStringLiteral("swarm"), Status::Skip, skipped);
        return;
    }
    m_engineOk = true;
    m_info = info.value();
    m_cdi = CdiInventory::forEngine(m_info, !m_client->endpoint().isRemote());
    set(QStringLiteral("engine"), Status::Pass,
        tr("%1 at %2 (API %3, from %4).")
            .arg(m_info.productName(), where, m_client->apiVersion(), m_client->endpoint().source));
    if (m_client->endpoint().isInsecure()) {
        set(QStringLiteral("socket"), Status::Warn,
            m_client->endpoint().insecurityWarning() + QLatin1Char('.'),
            tr("Reach the engine over ssh:// or TLS with DOCKER_TLS_VERIFY=1 instead."));
    } else {
        set(QStringLiteral("socket"), Status::Pass,
            tr("%1 accepts your requests.")
                .arg(m_client->endpoint().isRemote() ? where : m_client->endpoint().socketPath));
    }

    bool wantsNvidiaRuntime = false;
    bool wantsCdi = false;
    for (const LaunchSpec &spec : std::as_const(m_presets)) {
        wantsNvidiaRuntime |= spec.runtime == QLatin1String("nvidia");
        wantsCdi |= spec.usesCdi();
    }
    m_wantsCdi = wantsCdi;
    if (m_info.isPodman()) {
        set(QStringLiteral("runtime"), Status::Skip,
            tr("%1 needs no \"nvidia\" runtime: its containers get GPUs as CDI devices.")
                .arg(m_info.productName()));
    } else if (m_info.runtimes.contains(QStringLiteral("nvidia"))) {
        set(QStringLiteral("runtime"), Status::Pass,
            tr("Runtimes: %1 (default %2).")
                .arg(m_info.runtimes.join(QStringLiteral(", ")), m_info.defaultRuntime));
    } else {
        set(QStringLiteral("runtime"), wantsNvidiaRuntime ? Status::Fail : Status::Warn,
            tr("Runtimes: %1; a launch with runtime \"nvidia\" fails here%2.")
                .arg(m_info.runtimes.join(QStringLiteral(", ")),
                     wantsNvidiaRuntime ? tr(", and a preset asks for it") : QString()),
            tr("Register it with the NVIDIA Container Toolkit and restart dockerd; launches with "
               "the "
               "default runtime and GPUs requested still work without it."),
            QStringLiteral("sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl "
                           "restart docker"));
    }
    checkCdi();
    checkCuda();
    checkSwarm();
    if (m_info.isPodman()) {
        // Podman's compatible create ignores a legacy GPU request, so a probe would pass on a
        // container without GPUs: on Podman the engine hands out exactly its CDI devices.
        if (m_cdi.devices.isEmpty()) {
            set(QStringLiteral("gpu-request"), Status::Fail,
                tr("%1 takes GPUs only as CDI devices, and it has none.").arg(m_info.productName()),
                tr("Generate the CDI specification for this host's GPUs."), kCdiGenerate);
        } else {
            set(QStringLiteral("gpu-request"), Status::Pass,
                tr("%1 hands out GPUs as CDI devices: %2.")
                    .arg(m_info.productName(), m_cdi.names().join(QStringLiteral(", "))));
        }
        return;
    }
    probeGpuRequest();
}

void Doctor::checkCdi()
{
    if (!m_engineOk || !m_haveSnapshot)
        return;
    const QString product = m_info.productName();
    // Where CDI is the way GPUs are asked for, its faults fail; elsewhere they only warn.
    const bool needed = m_wantsCdi || m_info.isPodman();
    const Status problem = needed ? Status::Fail : Status::Warn;
    if (!m_info.isPodman() && m_client->apiMinor() < 44) {
        if (!m_wantsCdi) {
            set(QStringLiteral("cdi"), Status::Skip,
                tr("%1 has no CDI (it came with Docker 25), and no preset uses CDI devices.")
                    .arg(product));
        } else {
            set(QStringLiteral("cdi"), Status::Fail,
                tr("A preset uses CDI devices, but %1 speaks API %2 and CDI needs 1.44 (Docker "
                   "25).")
                    .arg(product, m_client->apiVersion()),
                tr("Update Docker, or switch the preset's device driver to \"nvidia\"."));
        }
        return;
    }
    if (!m_info.cdiEnabled()) {
        if (!m_wantsCdi && m_cdi.devices.isEmpty()) {
            set(QStringLiteral("cdi"), Status::Skip,
                tr("CDI is off on %1, and no preset uses CDI devices.").arg(product));
            return;
        }
        set(QStringLiteral("cdi"), problem,
            tr("CDI is off on %1%2.")
                .arg(product, m_wantsCdi ? tr(", and a preset uses CDI devices") : QString()),
            tr("Docker 25 to 28.1 need \"features\": {\"cdi\": true} in /etc/docker/daemon.json "
               "(28.2 and newer "
               "have it on): add it, or let the toolkit do it, and restart dockerd."),
            kCdiEnable);
        return;
    }
    const bool local = !m_client->endpoint().isRemote();
    QStringList found;
    if (local)
        found << tr("spec files: %1")
                     .arg(m_cdi.files.isEmpty()
                              ? tr("none in %1").arg(m_info.cdiSpecDirs.join(QStringLiteral(", ")))
                              : m_cdi.files.join(QStringLiteral(", ")));
    found << tr("devices: %1")
                 .arg(m_cdi.devices.isEmpty() ? tr("none")
                                              : m_cdi.names().join(QStringLiteral(", ")));
    const QString summary =
        tr("CDI is on in %1; %2.").arg(product, found.join(QStringLiteral("; ")));
    if (!m_cdi.problems.isEmpty()) {
        set(QStringLiteral("cdi"), problem,
            summary + QLatin1Char(' ') + m_cdi.problems.join(QStringLiteral("; "))
                + QLatin1Char('.'),
            tr("Keep each device in one spec file: remove the older file, or regenerate it."),
            kCdiGenerate);
        return;
    }
    if (const auto versions = CdiSpecVersions::check(m_cdi.files, m_info); !versions.ok()) {
        set(QStringLiteral("cdi"), problem, summary + QLatin1Char(' ') + versions.detail,
            versions.fix, versions.command);
        return;
    }
    if (m_cdi.devices.isEmpty()) {
        set(QStringLiteral("cdi"), needed ? Status::Fail : Status::Warn, summary,
            local ? tr("Generate the CDI specification for this host's GPUs.")
                  : tr("The engine is remote and lists no devices: generate the specification on "
                       "its host."),
            kCdiGenerate);
        return;
    }
    // A spec left behind by a driver upgrade or a swapped card names GPUs the host no longer has.
    if (m_snapshot.ok()) {
        QStringList hostUuids;
        for (const GpuInfo &gpu : m_snapshot.gpus)
            hostUuids << gpu.uuid;
        QStringList specUuids;
        int indexDevices = 0;
        for (const QString &name : m_cdi.names()) {
            const QString id = name.section(QLatin1Char('='), 1);
            if (!name.startsWith(LaunchSpec::cdiGpuKind() + QLatin1Char('=')))
                continue;
            if (id.startsWith(QLatin1String("GPU-")))
                specUuids << id;
            else if (!id.isEmpty() && id.toInt() >= 0 && QString::number(id.toInt()) == id)
                ++indexDevices;
        }
        QStringList stale;
        QStringList missing;
        for (const QString &uuid : std::as_const(specUuids)) {
            if (!hostUuids.contains(uuid))
                stale << uuid;
        }
        if (!specUuids.isEmpty()) {
            for (const QString &uuid : std::as_const(hostUuids)) {
                if (!specUuids.contains(uuid))
                    missing << uuid;
            }
        }
        if (!stale.isEmpty() || !missing.isEmpty() || indexDevices < hostUuids.size()) {
            QStringList why;
            if (!stale.isEmpty())
                why << tr("it names GPUs this host does not have (%1)")
                           .arg(stale.join(QStringLiteral(", ")));
            if (!missing.isEmpty())
                why << tr("it lacks this host's %1").arg(missing.join(QStringLiteral(", ")));
            if (stale.isEmpty() && missing.isEmpty())
                why << tr("it defines %1 GPU index devices for %2 GPUs")
                           .arg(indexDevices)
                           .arg(hostUuids.size());
            set(QStringLiteral("cdi"), problem,
                summary + QLatin1Char(' ')
                    + tr("The specification is stale: %1.").arg(why.join(tr("; and "))),
                tr("Regenerate it for the GPUs and driver the host has now."), kCdiGenerate);
            return;
        }
        set(QStringLiteral("cdi"), Status::Pass,
            summary + QLatin1Char(' ') + tr("They match this host's GPUs."));
        return;
    }
    set(QStringLiteral("cdi"), Status::Pass,
        summary + QLatin1Char(' ')
            + tr("(Not compared with the host's GPUs: they could not be read.)"));
}

void Doctor::checkSwarm()
{
    if (!m_engineOk || !m_haveSnapshot)
        return;
    const bool inSwarm = m_info.raw.value(QStringLiteral("Swarm"))
                             .toObject()
                             .value(QStringLiteral("LocalNodeState"))
                             .toString()
                         == QLatin1String("active");
    QStringList advertised; // NVIDIA-GPU=GPU-<uuid> from daemon.json's node-generic-resources
    int counted = 0;        // NVIDIA-GPU=<count>: a number without UUIDs
    for (const QJsonValue &value : m_info.raw.value(QStringLiteral("GenericResources")).toArray()) {
        const QJsonObject named = value[QStringLiteral("NamedResourceSpec")].toObject();
        const QJsonObject discrete = value[QStringLiteral("DiscreteResourceSpec")].toObject();
        if (named.value(QStringLiteral("Kind")).toString() == QLatin1String("NVIDIA-GPU"))
            advertised << named.value(QStringLiteral("Value")).toString();
        if (discrete.value(QStringLiteral("Kind")).toString() == QLatin1String("NVIDIA-GPU"))
            counted += discrete.value(QStringLiteral("Value")).toInt();
    }
    if (!inSwarm && advertised.isEmpty() && counted == 0) {
        set(QStringLiteral("swarm"), Status::Skip, tr("The engine is not part of a swarm."));
        return;
    }
    QStringList hostUuids;
    if (m_snapshot.ok()) {
        for (const GpuInfo &gpu : m_snapshot.gpus)
            hostUuids << gpu.uuid;
    }
    QStringList snippet;
    for (const QString &uuid : std::as_const(hostUuids))
        snippet << QStringLiteral("\"NVIDIA-GPU=%1\"").arg(uuid);
    const QString advertiseFix =
        hostUuids.isEmpty() ? tr(
            "Advertise the host's GPUs in /etc/docker/daemon.json as \"node-generic-resources\": "
            "[\"NVIDIA-GPU=GPU-<uuid>\", ...] (the UUIDs nvidia-smi -L prints), then restart "
            "dockerd.")
                            : tr("Advertise the host's GPUs in /etc/docker/daemon.json: "
                                 "\"node-generic-resources\": [%1], then "
                                 "restart dockerd.")
                                  .arg(snippet.join(QStringLiteral(", ")));
    if (advertised.isEmpty() && counted == 0) {
        set(QStringLiteral("swarm"), hostUuids.isEmpty() ? Status::Skip : Status::Warn,
            tr("This swarm node advertises no NVIDIA-GPU resources, so no swarm task can reserve "
               "%1.")
                .arg(hostUuids.isEmpty() ? tr("GPUs here")
                                         : tr("its %n GPU(s)", nullptr, int(hostUuids.size()))),
            advertiseFix);
        return;
    }
    if (counted > 0 && advertised.isEmpty()) {
        set(QStringLiteral("swarm"), Status::Warn,
            tr("This swarm node advertises %n NVIDIA-GPU resource(s) by count, without UUIDs: a "
               "task learns "
               "how many GPUs it holds but not which.",
               nullptr, counted),
            advertiseFix);
        return;
    }
    QStringList found{tr("This swarm node advertises %1 as NVIDIA-GPU resources")
                          .arg(advertised.join(QStringLiteral(", ")))};
    if (m_snapshot.ok()) {
        QStringList stale;
        QStringList unadvertised;
        for (const QString &uuid : std::as_const(advertised)) {
            if (!hostUuids.contains(uuid))
                stale << uuid;
        }
        for (const QString &uuid : std::as_const(hostUuids)) {
            if (!advertised.contains(uuid))
                unadvertised << uuid;
        }
        if (!stale.isEmpty()) {
            set(QStringLiteral("swarm"), Status::Fail,
                found.first() + QLatin1String("; ")
                    + tr("the host has no GPU %1, so a task that reserves it gets no GPU.")
                          .arg(stale.join(QStringLiteral(", "))),
                advertiseFix);
            return;
        }
        if (!unadvertised.isEmpty())
            found << tr("the host's %1 is not advertised, so no task can reserve it")
                         .arg(unadvertised.join(QStringLiteral(", ")));
    }
    // The reservation reaches the container only through the toolkit's swarm-resource setting.
    if (m_client->endpoint().isRemote()) {
        set(QStringLiteral("swarm"), Status::Warn,
            found.join(QStringLiteral("; ")) + QLatin1String(". ")
                + tr("Whether the NVIDIA Container Toolkit there hands them to tasks cannot be "
                     "read from here."),
            tr("On the engine's host, swarm-resource in /etc/nvidia-container-runtime/config.toml "
               "must name %1: "
               "a task gets its GPUs' UUIDs in that variable.")
                .arg(kSwarmVariable),
            kSwarmResourceCommand);
        return;
    }
    const std::optional<QString> setting = toolkitSwarmResource();
    if (setting != kSwarmVariable) {
        found << (!setting ? tr("the NVIDIA Container Toolkit's config.toml is missing")
                  : setting->isEmpty()
                      ? tr("the NVIDIA Container Toolkit's swarm-resource is not set")
                      : tr("the NVIDIA Container Toolkit's swarm-resource is %1").arg(*setting));
        set(QStringLiteral("swarm"), Status::Warn,
            found.join(QStringLiteral("; ")) + QLatin1String(". ")
                + tr("A task gets its GPUs' UUIDs in %1, which the toolkit turns into visible GPUs "
                     "only when "
                     "swarm-resource names it.")
                      .arg(kSwarmVariable),
            tr("Set swarm-resource = \"%1\" in /etc/nvidia-container-runtime/config.toml.")
                .arg(kSwarmVariable),
            kSwarmResourceCommand);
        return;
    }
    set(QStringLiteral("swarm"), found.size() > 1 ? Status::Warn : Status::Pass,
        found.join(QStringLiteral("; ")) + QLatin1String("; ")
            + tr("the toolkit's swarm-resource names %1, so tasks see the GPUs they reserve.")
                  .arg(kSwarmVariable),
        found.size() > 1 ? advertiseFix : QString());
}

void Doctor::onGpus(const GpuSnapshot &snapshot)
{
    m_snapshot = snapshot;
    m_haveSnapshot = true;
    checkCdi();
    checkCuda();
    checkSwarm();
    if (!snapshot.ok()) {
        set(QStringLiteral("driver"), Status::Fail, snapshot.error.message(),
            tr("Install the NVIDIA driver for your GPU and reboot; then nvidia-smi must list the "
               "GPUs."),
            QStringLiteral("sudo apt-get install -y nvidia-driver"));
        return;
    }
    QStringList names;
    for (const GpuInfo &gpu : snapshot.gpus)
        names.append(QStringLiteral("%1: %2").arg(gpu.index).arg(gpu.name));
    set(QStringLiteral("driver"), Status::Pass,
        tr("Driver %1, %n GPU(s) via %2 (%3).", nullptr, int(snapshot.gpus.size()))
            .arg(snapshot.driverVersion.isEmpty() ? tr("of unknown version")
                                                  : snapshot.driverVersion,
                 GpuSnapshot::sourceName(snapshot.source), names.join(QStringLiteral("; "))));
}

// Each GPU preset's image against the driver, as a launch checks it (CudaRequirement).
void Doctor::checkCuda()
{
    if (!m_engineOk || !m_haveSnapshot)
        return;
    QStringList images;
    QList<QStringList> envs;
    for (const LaunchSpec &spec : std::as_const(m_presets)) {
        if (spec.usesGpus() && !images.contains(spec.image)) {
            images << spec.image;
            envs << spec.env;
        }
    }
    if (images.isEmpty()) {
        set(QStringLiteral("cuda"), Status::Skip, tr("No preset launches GPUs."));
        return;
    }
    if (m_snapshot.cudaVersion.isEmpty()) {
        set(QStringLiteral("cuda"), Status::Skip, tr("The driver's CUDA version is not known."));
        return;
    }
    auto pending = std::make_shared<qsizetype>(images.size());
    auto passed = std::make_shared<QStringList>();
    auto failed = std::make_shared<QStringList>();
    for (qsizetype i = 0; i < images.size(); ++i) {
        const QString &image = images.at(i);
        const QStringList &env = envs.at(i);
        m_client->inspectImage(
            image, m_calls,
            [this, image, env, pending, passed, failed](const Result<QJsonObject> &inspected) {
                if (!inspected) {
                    passed->append(tr("%1 not checked (%2)").arg(image, inspected.error().why()));
                } else {
                    const CudaRequirement requirement = CudaRequirement::fromEnv(
                        CudaRequirement::imageEnv(inspected.value()) + env);
                    const Error refused = requirement.check(image, m_snapshot);
                    if (refused.isError())
                        failed->append(refused.what() + QStringLiteral(": ") + refused.why());
                    else
                        passed->append(
                            requirement.neededCuda().isEmpty()
                                ? tr("%1 asks for no CUDA version").arg(image)
                                : tr("%1 needs CUDA %2").arg(image, requirement.neededCuda()));
                }
                if (--*pending > 0)
                    return;
                if (!failed->isEmpty()) {
                    set(QStringLiteral("cuda"), Status::Fail,
                        failed->join(QStringLiteral("; ")) + QLatin1Char('.'),
                        tr("Install a newer NVIDIA driver, or use image tags built for CUDA %1 or "
                           "older.")
                            .arg(m_snapshot.cudaVersion));
                } else {
                    set(QStringLiteral("cuda"), Status::Pass,
                        tr("The driver offers CUDA %1: %2.")
                            .arg(m_snapshot.cudaVersion, passed->join(QStringLiteral("; "))));
                }
            });
    }
}

void Doctor::probeGpuRequest()
{
    m_client->images(m_calls, [this](const Result<QList<ImageSummary>> &images) {
        if (!images || images.value().isEmpty()) {
            set(QStringLiteral("gpu-request"), Status::Skip,
                images ? tr("No local image to probe with.") : images.error().message(),
                tr("Pull any small image, then run the doctor again."),
                QStringLiteral("docker pull busybox"));
            return;
        }
        QString chosen;
        for (const char *preferred : kProbeImagePreference) {
            for (const ImageSummary &image : images.value()) {
                for (const QString &tag : image.repoTags) {
                    if (chosen.isEmpty() && tag.startsWith(QLatin1String(preferred)))
                        chosen = tag;
                }
            }
        }
        if (chosen.isEmpty())
            chosen = images.value().first().displayName();
        probeWith(chosen);
    });
}

void Doctor::probeWith(const QString &image, bool throughCdi)
{
    LaunchSpec probe;
    probe.image = image;
    probe.command = {QStringLiteral("true")};
    probe.gpus = GpuSelection::all();
    if (throughCdi) {
        probe.deviceDriver = QStringLiteral("cdi");
        const QStringList names = m_cdi.names();
        if (!names.contains(LaunchSpec::cdiNameFor(QStringLiteral("all"))) && !names.isEmpty())
            probe.gpus = GpuSelection::ofDevices({names.first()});
    }
    probe.autoRemove = false;
    probe.networkMode = QStringLiteral("none");
    QJsonObject body = probe.createBody();
    body.insert(QStringLiteral("Entrypoint"), QJsonArray());
    m_client->createContainer(
        body, {}, m_calls, [this, image, throughCdi](const Result<QString> &created) {
            if (!created) {
                set(QStringLiteral("gpu-request"), Status::Fail,
                    tr("A probe container on %1 could not be created: %2")
                        .arg(image, created.error().message()),
                    created.error().hint());
                return;
            }
            const QString &id = created.value();
            m_client->startContainer(id, m_calls,
                                     [this, id, image, throughCdi](const Result<void> &started) {
                                         finishProbe(id, image, throughCdi, started);
                                     });
        });
}

void Doctor::finishProbe(const QString &id, const QString &image, bool throughCdi,
                         const Result<void> &started)
{
    // The probe is removed whatever happened; not tied to m_calls so it outlives a re-run.
    m_client->removeContainer(id, true, m_client, [](const Result<void> &) {});
    const Error error = started ? Error() : started.error();
    // A probe image without `true` fails after the GPUs were granted, which is what counts.
    const bool granted = started || error.why().contains(QLatin1String("executable file not found"))
                         || error.why().contains(QLatin1String("no such file or directory"));
    if (granted && throughCdi) {
        // The legacy request failed for want of the hook, but the engine's CDI devices work.
        set(QStringLiteral("gpu-request"), Status::Warn,
            tr("A container asking for GPUs as CDI devices started; the --gpus request has no "
               "NVIDIA "
               "runtime hook on this engine."),
            tr("Launch with Device driver: CDI (the engine's devices: %1).")
                .arg(m_cdi.names().join(QStringLiteral(", "))));
        return;
    }
    if (started) {
        set(QStringLiteral("gpu-request"), Status::Pass,
            tr("A container asking for all GPUs (--gpus all) started."));
        return;
    }
    if (error.code() == Error::Code::DeviceDriver && !throughCdi && !m_cdi.devices.isEmpty()
        && m_info.cdiEnabled()) {
        probeWith(image, true); // does CDI do what the legacy request could not?
        return;
    }
    if (error.code() == Error::Code::DeviceDriver) {
        QString fix = QString::fromLatin1(EngineError::kToolkitHint);
        // Docker 29.2's --gpus through CDI: the spec, or the hook.
        const bool viaCdi = error.hint() == QLatin1String(EngineError::kGpusThroughCdiHint);
        if (viaCdi)
            fix = error.hint();
        if (!m_cdi.devices.isEmpty()) {
            fix = tr("The engine has CDI devices (%1): launch through them with Device driver: "
                     "CDI, or: %2")
                      .arg(m_cdi.names().join(QStringLiteral(", ")), fix);
        }
        set(QStringLiteral("gpu-request"), Status::Fail, error.why(), fix,
            viaCdi ? kCdiGenerate : kToolkitCommand);
        return;
    }
    if (granted) {
        set(QStringLiteral("gpu-request"), Status::Pass,
            tr("The engine granted the GPU request (the probe image has no `true`, which does not "
               "matter)."));
        return;
    }
    set(QStringLiteral("gpu-request"), Status::Fail, error.message(), error.hint());
}

void Doctor::maybeFinish()
{
    if (m_finished)
        return;
    for (const Check &check : std::as_const(m_checks)) {
        if (check.status == Status::Pending)
            return;
    }
    m_finished = true;
    emit finished();
}

QJsonObject Doctor::toJson() const
{
    QJsonArray checks;
    for (const Check &check : m_checks) {
        checks.append(QJsonObject{{QStringLiteral("id"), check.id},
                                  {QStringLiteral("title"), check.title},
                                  {QStringLiteral("status"), statusName(check.status)},
                                  {QStringLiteral("detail"), check.detail},
                                  {QStringLiteral("fix"), check.fix},
                                  {QStringLiteral("command"), check.command}});
    }
    return QJsonObject{{QStringLiteral("ok"), passed()},
                       {QStringLiteral("endpoint"), m_client->endpoint().url},
                       {QStringLiteral("checks"), checks}};
}

QString Doctor::toText() const
{
    QString text;
    for (const Check &check : m_checks) {
        QString mark;
        switch (check.status) {
        case Status::Pass: mark = QStringLiteral("[ ok ]"); break;
        case Status::Fail: mark = QStringLiteral("[FAIL]"); break;
        case Status::Warn: mark = QStringLiteral("[warn]"); break;
        case Status::Skip: mark = QStringLiteral("[skip]"); break;
        case Status::Pending: mark = QStringLiteral("[ .. ]"); break;
        }
        text += QStringLiteral("%1 %2\n       %3\n").arg(mark, check.title, check.detail);
        if ((check.status == Status::Fail || check.status == Status::Warn) && !check.fix.isEmpty())
            text += QStringLiteral("       fix: %1\n").arg(check.fix);
        if ((check.status == Status::Fail || check.status == Status::Warn)
            && !check.command.isEmpty())
            text += QStringLiteral("       run: %1\n").arg(check.command);
    }
    text += passed()
                ? tr("GPU Deck is ready: containers can get this host's GPUs.\n")
                : tr("Not ready: fix the failing lines above, then run 'gpudeck doctor' again.\n");
    return text;
}
