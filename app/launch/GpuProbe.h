#pragma once

#include "common/Result.h"
#include "gpu/GpuHost.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>

class DockerClient;
class Launcher;

// Reads the GPUs of an engine's host where GPU Deck has no shell there (tcp:// and TLS engines):
// nvidia-smi runs in a short-lived container that asks for every GPU with the utility capability,
// since the NVIDIA Container Toolkit puts nvidia-smi into any such container. The container is a
// Launcher's (the same request the user's own launches send; CDI on Podman, and on a Docker engine
// that refuses the legacy request for want of the NVIDIA hook), auto-removed, with no network,
// named gpudeck-gpu-probe-….
// The image is one of the engine's own, never pulled: a CUDA image (its environment names
// CUDA_VERSION, NVIDIA_REQUIRE_CUDA or NVIDIA_VISIBLE_DEVICES, or it carries NVIDIA's
// com.nvidia.volumes.needed label) whose entrypoint runs the command it is given; the smallest
// such image wins. GPUDECK_GPU_PROBE_IMAGE names one instead. When no image qualifies, the
// answer says so and what to do, rather than guess.
class GpuProbe : public GpuHost
{
    Q_OBJECT

public:
    static constexpr int kTimeoutMs = 30000; // create, start and remove on a remote engine
    static constexpr const char *kImageVariable = "GPUDECK_GPU_PROBE_IMAGE";

    explicit GpuProbe(DockerClient *client, QObject *parent = nullptr);
    ~GpuProbe() override;

    Reach reach() const override { return Reach::ProbeContainer; }
    // Runs `nvidia-smi ARGS` in one probe container (within kTimeoutMs, whatever timeoutMs says:
    // a container takes longer than a command). Calls queue up behind one another: one probe
    // container at a time.
    void runSmi(const QStringList &smiArgs, int timeoutMs, Done done) override;
    // The container is in a PID namespace of its own.
    bool seesProcesses() const override { return false; }
    Error goneError() const override;

    // The image the probes run, once picked; empty before.
    QString image() const { return m_image; }

    // The pick among the engine's images, as image inspect returned them: what the class comment
    // says. host names the engine's host in the refusal.
    static Result<QString> chooseImage(const QList<QJsonObject> &inspected, const QString &host);
    static bool canRunProbe(const QJsonObject &inspected);

private:
    struct Job
    {
        QStringList args;
        Done done;
    };
    void next();
    void pickImage();
    void launch();
    void finish(Result<QByteArray> result);

    QPointer<DockerClient> m_client;
    QList<Job> m_jobs;
    bool m_running = false;
    QString m_image;
    bool m_cdi = false; // the engine refused the legacy request: every GPU as CDI devices
    Launcher *m_launcher = nullptr;
    QObject *m_calls = nullptr; // context of the image look-up in flight
};
