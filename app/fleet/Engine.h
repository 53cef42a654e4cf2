#pragma once

#include "common/Error.h"
#include "common/Result.h"
#include "engine/Endpoint.h"
#include "engine/EngineTypes.h"
#include "gpu/GpuSnapshot.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class ContainerDirectory;
class DockerClient;
class EngineWatch;
class GpuHost;
class GpuMonitor;

// One engine the window knows, with everything that belongs to it: its client and watch, what it
// is (Docker or Podman, version, CDI), its images and its host's GPUs. It watches itself in the
// background from start() on; a dead or slow engine runs into its own deadline and never touches
// another engine's connections. Widgets hold it by QPointer and use it as the context of their
// callbacks, so answers of an engine that went away reach nobody.
class Engine : public QObject
{
    Q_OBJECT

public:
    enum class State { Connecting, Connected, Down };
    Q_ENUM(State)

    // No answer within this time: the row says down while the watch keeps trying.
    static constexpr int kConnectDeadlineMs = 10000;
    // GPU polling: the selected engine at the panel's pace, the others slower.
    static constexpr int kRemoteGpuIntervalMs = 3000;
    static constexpr int kBackgroundGpuIntervalMs = 10000;
    // A tcp:// or TLS host's GPUs cost a probe container each read: seldom.
    static constexpr int kProbeGpuIntervalMs = 10000;
    static constexpr int kBackgroundProbeIntervalMs = 60000;
    // Image events come in bursts (a pull, a prune): one refresh this long after the last.
    static constexpr int kImageBurstMs = 300;

    // name: the context's name, or the URL; source: "default", "context", "DOCKER_HOST",
    // "--host", "added" or "preset". An endpoint that did not resolve makes an engine that is
    // down for good with that error.
    Engine(const QString &name, const QString &source, const Result<Endpoint> &endpoint,
           QObject *parent = nullptr);
    ~Engine() override;

    QString name() const { return m_name; }
    QString source() const { return m_source; }
    // The endpoint's URL; the name when the endpoint did not resolve.
    QString url() const;
    bool isValid() const { return m_client != nullptr; }
    // Null when the endpoint did not resolve.
    DockerClient *client() const { return m_client; }
    EngineWatch *watch() const { return m_watch; }
    // Names the containers of GPU processes; kept current from the engine's events.
    ContainerDirectory *containers() const;
    const Endpoint *endpoint() const;

    State state() const { return m_state; }
    // Why it is down; empty otherwise.
    const Error &error() const { return m_error; }
    // Known once connected (hasInfo()).
    bool hasInfo() const { return m_hasInfo; }
    const EngineInfo &info() const { return m_info; }
    // "Docker 20.10.24+dfsg1"; empty until known.
    QString productName() const { return m_hasInfo ? m_info.productName() : QString(); }

    bool hasImages() const { return m_hasImages; }
    const QList<ImageSummary> &images() const { return m_images; }
    const Error &imagesError() const { return m_imagesError; }
    // The CUDA an image needs ("12.2"), by image id; empty when none or not known yet.
    QString imageCuda(const QString &id) const { return m_imageCuda.value(id); }

    // The host's GPUs (this machine's, over ssh, or through probe containers): null when the
    // engine's address did not resolve (gpuError() says why).
    GpuMonitor *gpuMonitor() const { return m_monitor; }
    const Error &gpuError() const { return m_gpuError; }
    // The latest read, or the reason as a snapshot; gpusKnown() once one read came back.
    GpuSnapshot gpus() const;
    bool gpusKnown() const;

    // Where the GPUs of client's engine's host are read (GpuInventory::setHost): null for this
    // machine (a local engine), the host's shell over an ssh engine's connection, probe containers
    // on other remote engines; never this machine's GPUs for another host. The host is a child of
    // the client, so it goes with that connection. For an ssh engine, the engine must have
    // answered before the first read (its connection is then up). The one place that decides.
    static GpuHost *gpuHostFor(DockerClient *client);

    // Starts watching (idempotent).
    void start();
    // Asks again at once: state, profile and images.
    void refresh();
    void refreshImages();
    // The selected engine's GPUs are polled at the panel's pace, the others slowly.
    void setSelected(bool selected);
    // Stops everything it does in the background (it was removed from the list). Streams already
    // running on its client (log tabs) go on.
    void retire();

signals:
    void stateChanged();
    void infoChanged();
    void imagesChanged();
    void imageCudaChanged(const QString &id, const QString &cuda);
    void gpusChanged(const GpuSnapshot &snapshot);

private:
    void onConnected();
    void onDisconnected(const Error &error);
    void setState(State state, const Error &error = Error());
    void fetchInfo();
    void startGpus();

    QString m_name;
    QString m_source;
    Error m_endpointError;
    DockerClient *m_client = nullptr;
    EngineWatch *m_watch = nullptr;
    QPointer<ContainerDirectory> m_containers;
    GpuMonitor *m_monitor = nullptr;
    Error m_gpuError;
    bool m_gpusStarted = false;
    bool m_selected = false;
    bool m_started = false;

    State m_state = State::Connecting;
    Error m_error;
    QTimer m_deadline;
    QTimer m_imagesTimer;            // image events come in bursts: one refresh per burst
    QObject *m_infoCalls = nullptr;  // context of the /info call in flight
    QObject *m_imageCalls = nullptr; // context of the image calls in flight

    bool m_hasInfo = false;
    EngineInfo m_info;
    bool m_hasImages = false;
    QList<ImageSummary> m_images;
    Error m_imagesError;
    QHash<QString, QString> m_imageCuda;
};
