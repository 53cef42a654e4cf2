#include "log/SwarmLogPage.h"

#include "log/SwarmRun.h"

SwarmLogPage::SwarmLogPage(DockerClient *client, const LaunchSpec &spec, int replicas,
                           QWidget *parent)
    : SwarmLogPage(new SwarmRun(client, spec, replicas), spec, parent)
{
}

SwarmLogPage::SwarmLogPage(SwarmRun *run, const LaunchSpec &spec, QWidget *parent)
    : LogPage(run, spec, parent), m_run(run)
{
    textEdit()->setAccessibleName(tr("Swarm service output"));
    statusLabel()->setAccessibleName(tr("Swarm service state"));
    portsLabel()->setVisible(false); // a service's tasks publish no ports of their own here
    updateStatus();
}

SwarmLauncher *SwarmLogPage::swarmLauncher() const
{
    return m_run->swarmLauncher();
}

QString SwarmLogPage::stateText() const
{
    switch (state()) {
    case Launcher::State::Idle: return tr("Not started");
    case Launcher::State::Running:
        return tr("Running on the swarm: service %1").arg(m_run->id().left(12));
    case Launcher::State::Exited:
        return tr("Exited with code %1; the service was removed").arg(exitCode().value_or(-1));
    case Launcher::State::Failed: return tr("Failed: %1").arg(error().message());
    case Launcher::State::Cancelled: return tr("Stopped: the service was removed");
    default: return tr("Creating the service…");
    }
}

QString SwarmLogPage::gpuShareText() const
{
    const auto perTask = [](int n) {
        return n == 1 ? tr("1 GPU per task, picked by the swarm")
                      : tr("%1 GPUs per task, picked by the swarm").arg(n);
    };
    switch (spec().gpus.mode) {
    case GpuSelection::Mode::Count: return perTask(spec().gpus.count);
    case GpuSelection::Mode::Devices: return perTask(int(spec().gpus.devices.size()));
    default: return spec().gpus.summary();
    }
}

QString SwarmLogPage::titleText(const QString &image) const
{
    const QString id = m_run->id().left(12);
    return id.isEmpty() ? tr("%1 (swarm)").arg(image) : tr("%1 · %2 (swarm)").arg(image, id);
}

QString SwarmLogPage::endText() const
{
    if (state() == Launcher::State::Cancelled)
        return tr("— stopped: the service was removed —");
    return tr("— exited with code %1; the service was removed —").arg(exitCode().value_or(-1));
}
