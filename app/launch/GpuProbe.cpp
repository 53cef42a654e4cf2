#include "GpuProbe.h"

#include "Launcher.h"
#include "engine/DockerClient.h"
#include "gpu/NvidiaSmiParser.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

#include <memory>

namespace {

constexpr int kMaxCandidates = 20; // image inspects per pick, at most
// docker run's exit codes when the command cannot run: not executable, not found
constexpr qint64 kNotExecutable = 126;
constexpr qint64 kNotFound = 127;

QString hostOf(const DockerClient *client)
{
    if (!client)
        return QStringLiteral("the engine's host");
    const QString host = client->endpoint().host;
    return host.isEmpty() ? client->endpoint().url : host;
}

QString probeName()
{
    return QStringLiteral("gpudeck-gpu-probe-%1")
        .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

} // namespace

GpuProbe::GpuProbe(DockerClient *client, QObject *parent) : GpuHost(parent), m_client(client) { }

GpuProbe::~GpuProbe() = default;

bool GpuProbe::canRunProbe(const QJsonObject &inspected)
{
    const QString os = inspected.value(QStringLiteral("Os")).toString();
    if (!os.isEmpty() && os != QLatin1String("linux"))
        return false;
    const QJsonObject config = inspected.value(QStringLiteral("Config")).toObject();
    // The command must be what runs: no entrypoint, or NVIDIA's own, which runs its arguments.
    const QJsonArray entrypoint = config.value(QStringLiteral("Entrypoint")).toArray();
    if (!entrypoint.isEmpty()
        && !(entrypoint.size() == 1
             && entrypoint.at(0).toString().endsWith(QLatin1String("/nvidia_entrypoint.sh"))))
        return false;
    // A CUDA image: built for the toolkit, so a C library nvidia-smi runs on.
    const QJsonArray env = config.value(QStringLiteral("Env")).toArray();
    for (const QJsonValue &v : env) {
        const QString entry = v.toString();
        if (entry.startsWith(QLatin1String("CUDA_VERSION="))
            || entry.startsWith(QLatin1String("NVIDIA_REQUIRE_CUDA="))
            || entry.startsWith(QLatin1String("NVIDIA_VISIBLE_DEVICES=")))
            return true;
    }
    return config.value(QStringLiteral("Labels"))
        .toObject()
        .contains(QStringLiteral("com.nvidia.volumes.needed"));
}

Result<QString> GpuProbe::chooseImage(const QList<QJsonObject> &inspected, const QString &host)
{
    const QJsonObject *best = nullptr;
    for (const QJsonObject &image : inspected) {
        if (!canRunProbe(image))
            continue;
        const double size = image.value(QStringLiteral("Size")).toDouble();
        if (!best || size < best->value(QStringLiteral("Size")).toDouble())
            best = &image;
    }
    if (!best) {
        return Error(
            Error::Code::Unsupported, QStringLiteral("Cannot read the GPUs of %1").arg(host),
            QStringLiteral(
                "none of its images can run nvidia-smi in a probe container (that takes a "
                "CUDA image, and GPU Deck pulls nothing by itself)"),
            QStringLiteral(
                "Pull one there (docker pull nvidia/cuda:12.6.3-base-ubuntu24.04), name one in "
                "%1, or reach the engine as ssh://%2")
                .arg(QLatin1String(kImageVariable), host));
    }
    const QJsonArray tags = best->value(QStringLiteral("RepoTags")).toArray();
    for (const QJsonValue &tag : tags) {
        if (tag.toString() != QLatin1String("<none>:<none>"))
            return tag.toString();
    }
    return best->value(QStringLiteral("Id")).toString();
}

Error GpuProbe::goneError() const
{
    return Error(Error::Code::ConnectionFailed, QStringLiteral("Could not read the host's GPUs"),
                 QStringLiteral("its engine is gone"));
}

void GpuProbe::runSmi(const QStringList &smiArgs, int, Done done)
{
    m_jobs.append({smiArgs, std::move(done)});
    if (!m_running)
        QTimer::singleShot(0, this, &GpuProbe::next); // answers always come from the event loop
    m_running = true;
}

void GpuProbe::next()
{
    if (m_jobs.isEmpty()) {
        m_running = false;
        return;
    }
    if (!m_client) {
        finish(Error(Error::Code::ConnectionFailed, QStringLiteral("Cannot read the host's GPUs"),
                     QStringLiteral("its engine is gone")));
        return;
    }
    if (!m_image.isEmpty()) {
        launch();
        return;
    }
    const QString chosen = qEnvironmentVariable(kImageVariable);
    if (!chosen.isEmpty()) {
        m_image = chosen;
        launch();
        return;
    }
    pickImage();
}

void GpuProbe::pickImage()
{
    delete m_calls;
    m_calls = new QObject(this);
    QObject *calls = m_calls;
    m_client->images(calls, [this, calls](const Result<QList<ImageSummary>> &images) {
        if (!images) {
            finish(images.error());
            return;
        }
        QStringList candidates;
        for (const ImageSummary &image : images.value()) {
            if (image.looksGpuReady() && candidates.size() < kMaxCandidates)
                candidates.append(image.id);
        }
        auto inspected = std::make_shared<QList<QJsonObject>>();
        auto pending = std::make_shared<qsizetype>(candidates.size());
        const auto decide = [this, inspected]() {
            const Result<QString> chosen = chooseImage(*inspected, hostOf(m_client));
            if (!chosen) {
                finish(chosen.error());
                return;
            }
            m_image = chosen.value();
            launch();
        };
        if (candidates.isEmpty()) {
            decide();
            return;
        }
        for (const QString &id : std::as_const(candidates)) {
            m_client->inspectImage(id, calls,
                                   [inspected, pending, decide](const Result<QJsonObject> &image) {
                                       if (image)
                                           inspected->append(image.value());
                                       if (--*pending == 0)
                                           decide();
                                   });
        }
    });
}

void GpuProbe::launch()
{
    LaunchSpec spec;
    spec.image = m_image;
    spec.command = QStringList{QStringLiteral("nvidia-smi")} + m_jobs.constFirst().args;
    spec.gpus = GpuSelection::all();
    spec.capabilities = {QStringLiteral("utility")};
    if (m_cdi)
        spec.deviceDriver = QStringLiteral("cdi"); // nvidia.com/gpu=all
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = true;
    spec.containerName = probeName();

    delete m_launcher;
    m_launcher = new Launcher(m_client, this);
    Launcher *launcher = m_launcher;
    auto out = std::make_shared<QByteArray>();
    auto err = std::make_shared<QByteArray>();
    connect(launcher, &Launcher::output, this,
            [out, err](StreamDemuxer::Channel channel, const QByteArray &data) {
                (channel == StreamDemuxer::Channel::Stderr ? *err : *out) += data;
            });
    auto *deadline = new QTimer(launcher);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, launcher, &Launcher::cancel);
    connect(launcher, &Launcher::finished, this, [this, launcher, deadline, out, err]() {
        const QString host = hostOf(m_client);
        const QString image = m_image;
        const bool timedOut = !deadline->isActive();
        deadline->stop();
        launcher->deleteLater();
        m_launcher = nullptr;
        switch (launcher->state()) {
        case Launcher::State::Exited: {
            const qint64 code = launcher->exitCode().value_or(-1);
            if (code == 0) {
                finish(*out);
                return;
            }
            const QString what = noDriver() + QStringLiteral(" on ") + host;
            if (code == kNotExecutable || code == kNotFound) {
                m_image.clear(); // perhaps another image does better next time
                finish(
                    Error(Error::Code::NoDriver, what,
                          QStringLiteral(
                              "a probe container of %1 with every GPU found no nvidia-smi to run")
                              .arg(image),
                          QStringLiteral(
                              "Check the NVIDIA Container Toolkit on %1 (nvidia-ctk --version)")
                              .arg(host)));
                return;
            }
            const QString said = NvidiaSmiParser::failureReason(*out + '\n' + *err);
            finish(Error(
                Error::Code::NoDriver, what,
                said.isEmpty()
                    ? QStringLiteral("nvidia-smi in a probe container exited with code %1").arg(code)
                    : QStringLiteral("nvidia-smi in a probe container says \"%1\"").arg(said)));
            return;
        }
        case Launcher::State::Cancelled:
            finish(Error(Error::Code::Timeout,
                         QStringLiteral("Cannot read the GPUs of %1").arg(host),
                         timedOut
                             ? QStringLiteral("a probe container of %1 did not finish within %2 s")
                                   .arg(image)
                                   .arg(kTimeoutMs / 1000)
                             : QStringLiteral("the probe was cancelled")));
            return;
        default:
            if (launcher->error().code() == Error::Code::DeviceDriver && !m_cdi) {
                // No legacy NVIDIA hook on that engine (a CDI-only toolkit): ask for every GPU
                // as CDI devices from now on; the engine says so if it has none.
                m_cdi = true;
                launch();
                return;
            }
            m_image.clear(); // the image may be gone: pick again next time
            finish(launcher->error());
            return;
        }
    });
    deadline->start(kTimeoutMs);
    launcher->launch(spec);
}

void GpuProbe::finish(Result<QByteArray> result)
{
    if (result.ok()) {
        Job job = m_jobs.takeFirst();
        job.done(std::move(result));
    } else {
        // The same reason holds for every probe queued behind this one.
        const QList<Job> jobs = std::exchange(m_jobs, {});
        for (const Job &job : jobs)
            job.done(result.error());
    }
    QTimer::singleShot(0, this, &GpuProbe::next);
}
