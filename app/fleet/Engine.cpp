#include "Engine.h"

#include "engine/ContainerDirectory.h"
#include "engine/DockerClient.h"
#include "engine/EngineWatch.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"
#include "gpu/ShellGpuHost.h"
#include "launch/CudaRequirement.h"
#include "launch/GpuProbe.h"
#include "transport/RemoteShell.h"

Engine::Engine(const QString &name, const QString &source, const Result<Endpoint> &endpoint,
               QObject *parent)
    : QObject(parent), m_name(name), m_source(source)
{
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(kConnectDeadlineMs);
    connect(&m_deadline, &QTimer::timeout, this, [this]() {
        if (m_state != State::Connecting)
            return;
        setState(
            State::Down,
            Error(Error::Code::Timeout,
                  QStringLiteral("No answer from the engine at %1").arg(url()),
                  QStringLiteral("it did not answer within %1 s").arg(kConnectDeadlineMs / 1000),
                  QStringLiteral(
                      "check that the host is up and reachable; GPU Deck keeps trying")));
    });
    m_imagesTimer.setSingleShot(true);
    m_imagesTimer.setInterval(kImageBurstMs);
    connect(&m_imagesTimer, &QTimer::timeout, this, &Engine::refreshImages);

    if (!endpoint) {
        m_endpointError = endpoint.error();
        m_state = State::Down;
        m_error = m_endpointError;
        m_gpuError = m_endpointError;
        return;
    }
    m_client = new DockerClient(endpoint.value(), this);
    m_watch = new EngineWatch(m_client, this);
    // The engine's containers, kept current from its events: the GPU panel names them.
    m_containers = new ContainerDirectory(m_client, m_client);
    connect(m_watch, &EngineWatch::connected, m_containers, &ContainerDirectory::clear);
    connect(m_watch, &EngineWatch::engineEvent, m_containers, &ContainerDirectory::onEvent);
    connect(m_watch, &EngineWatch::connected, this, &Engine::onConnected);
    connect(m_watch, &EngineWatch::disconnected, this, &Engine::onDisconnected);
    connect(m_watch, &EngineWatch::engineEvent, this, [this](const QJsonObject &event) {
        if (event.value(QStringLiteral("Type")).toString() == QLatin1String("image"))
            m_imagesTimer.start();
    });

    m_monitor = new GpuMonitor(this);
    m_monitor->setContainerDirectory(m_containers);
    m_monitor->inventory()->setHost(gpuHostFor(m_client));
    connect(m_monitor, &GpuMonitor::updated, this, &Engine::gpusChanged);
}

Engine::~Engine() = default;

GpuHost *Engine::gpuHostFor(DockerClient *client)
{
    const Endpoint &endpoint = client->endpoint();
    if (endpoint.kind == Endpoint::Kind::Ssh) {
        auto *shell = new RemoteShell(client->sshTunnel(), client);
        return new ShellGpuHost(shell, shell);
    }
    if (endpoint.isRemote())
        return new GpuProbe(client, client);
    return nullptr;
}

QString Engine::url() const
{
    return m_client ? m_client->endpoint().url : m_name;
}

ContainerDirectory *Engine::containers() const
{
    return m_containers;
}

const Endpoint *Engine::endpoint() const
{
    return m_client ? &m_client->endpoint() : nullptr;
}

GpuSnapshot Engine::gpus() const
{
    GpuSnapshot unreadable;
    if (!m_monitor) {
        unreadable.error = m_gpuError;
        return unreadable;
    }
    // Another host's GPUs are read once its engine answers: until then, why not (never an empty
    // list that reads as "no GPUs").
    if (m_monitor->inventory()->readsThisMachine() || m_monitor->latest().taken.isValid())
        return m_monitor->latest();
    unreadable.error = Error(Error::Code::ConnectionFailed,
                             QStringLiteral("Cannot read the GPUs of %1").arg(url()),
                             m_state == State::Down
                                 ? m_error.why()
                                 : QStringLiteral("its engine has not answered yet"));
    return unreadable;
}

bool Engine::gpusKnown() const
{
    return !m_monitor || m_monitor->latest().taken.isValid() || !m_monitor->latest().ok();
}

void Engine::start()
{
    if (!m_client || m_started)
        return;
    m_started = true;
    setState(State::Connecting);
    m_deadline.start();
    m_watch->start();
    // This machine's GPUs do not wait for the engine; an ssh host's wait for its connection.
    if (m_monitor && m_monitor->inventory()->readsThisMachine())
        startGpus();
}

void Engine::startGpus()
{
    if (!m_monitor || m_gpusStarted)
        return;
    m_gpusStarted = true;
    setSelected(m_selected);
    m_monitor->start();
}

void Engine::setSelected(bool selected)
{
    m_selected = selected;
    if (!m_monitor)
        return;
    // A probe container costs more than a command over ssh, which costs more than NVML here.
    int pace = GpuMonitor::DefaultIntervalMs;
    int background = kBackgroundGpuIntervalMs;
    switch (m_monitor->inventory()->reach()) {
    case GpuHost::Reach::ThisMachine: break;
    case GpuHost::Reach::Shell: pace = kRemoteGpuIntervalMs; break;
    case GpuHost::Reach::ProbeContainer:
        pace = kProbeGpuIntervalMs;
        background = kBackgroundProbeIntervalMs;
        break;
    }
    m_monitor->setInterval(selected ? pace : background);
    if (selected && m_gpusStarted && !m_monitor->isRunning())
        m_monitor->resume();
}

void Engine::refresh()
{
    if (!m_client)
        return;
    if (!m_started) {
        start();
        return;
    }
    if (m_state != State::Connected && m_watch->state() == EngineWatch::State::Connected) {
        fetchInfo(); // the engine answers pings: a failed call is worth asking again
        refreshImages();
        return;
    }
    if (m_state != State::Connected) {
        // Checks now; onConnected() fetches the rest once the engine answers.
        if (m_state == State::Down && m_error.code() == Error::Code::Timeout)
            setState(State::Connecting);
        m_deadline.start();
        m_watch->start();
        return;
    }
    fetchInfo();
    refreshImages();
}

void Engine::retire()
{
    m_deadline.stop();
    m_imagesTimer.stop();
    delete m_infoCalls;
    m_infoCalls = nullptr;
    delete m_imageCalls;
    m_imageCalls = nullptr;
    if (m_watch)
        m_watch->stop();
    if (m_monitor)
        m_monitor->pause();
    m_started = false;
}

void Engine::onConnected()
{
    m_deadline.stop();
    setState(State::Connected);
    fetchInfo();
    refreshImages();
    startGpus();
}

void Engine::onDisconnected(const Error &error)
{
    m_deadline.stop();
    setState(State::Down, error);
}

void Engine::setState(State state, const Error &error)
{
    if (state == m_state && error.message() == m_error.message())
        return;
    m_state = state;
    m_error = error;
    emit stateChanged();
}

void Engine::fetchInfo()
{
    delete m_infoCalls; // an answer still on its way reaches nobody
    m_infoCalls = new QObject(this);
    m_client->info(m_infoCalls, [this](const Result<EngineInfo> &info) {
        if (!info) {
            // The watch tells a gone engine from a failed call; the reason shows either way.
            setState(State::Down, info.error());
            return;
        }
        m_info = info.value();
        m_hasInfo = true;
        if (m_state != State::Connected)
            setState(State::Connected);
        emit infoChanged();
    });
}

void Engine::refreshImages()
{
    if (!m_client || m_watch->state() != EngineWatch::State::Connected)
        return;
    delete m_imageCalls;
    m_imageCalls = new QObject(this);
    QObject *calls = m_imageCalls;
    m_client->images(calls, [this, calls](const Result<QList<ImageSummary>> &images) {
        m_hasImages = true;
        if (!images) {
            m_imagesError = images.error();
            m_images.clear();
            emit imagesChanged();
            return;
        }
        m_imagesError = Error();
        m_images = images.value();
        emit imagesChanged();
        // The CUDA each image needs is in its environment, which only an inspect shows.
        for (const ImageSummary &image : std::as_const(m_images)) {
            m_client->inspectImage(image.id, calls,
                                   [this, id = image.id](const Result<QJsonObject> &inspected) {
                                       if (!inspected)
                                           return;
                                       const QString cuda = CudaRequirement::fromEnv(
                                                                CudaRequirement::imageEnv(
                                                                    inspected.value()))
                                                                .neededCuda();
                                       m_imageCuda.insert(id, cuda);
                                       emit imageCudaChanged(id, cuda);
                                   });
        }
    });
}
