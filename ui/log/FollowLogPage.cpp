#include "log/FollowLogPage.h"

#include "log/FollowRun.h"

FollowLogPage::FollowLogPage(DockerClient *client, const QString &id, const QString &name, bool tty,
                             QWidget *parent)
    : FollowLogPage(new FollowRun(client, id, tty), name, parent)
{
}

FollowLogPage::FollowLogPage(FollowRun *run, const QString &name, QWidget *parent)
    : LogPage(run, specOfContainer(name), parent), m_run(run)
{
    textEdit()->setAccessibleName(tr("Container output"));
    statusLabel()->setAccessibleName(tr("Container state"));
    portsLabel()->setVisible(false);
    updateStatus();
}

QString FollowLogPage::stateText() const
{
    switch (state()) {
    case Launcher::State::Running:
        return tr("Following %1 (%2); closing the tab leaves it running")
            .arg(spec().containerName, m_run->id().left(12));
    case Launcher::State::Exited: return tr("Exited with code %1").arg(exitCode().value_or(-1));
    case Launcher::State::Failed: return tr("Failed: %1").arg(error().message());
    case Launcher::State::Cancelled: return tr("No longer followed");
    default: return tr("Not followed yet");
    }
}

QString FollowLogPage::gpuShareText() const
{
    return tr("the GPUs it was given");
}

QString FollowLogPage::titleText(const QString &image) const
{
    Q_UNUSED(image)
    return spec().containerName;
}

QString FollowLogPage::endText() const
{
    if (state() == Launcher::State::Cancelled)
        return tr("— no longer followed; the container runs on —");
    return tr("— exited with code %1 —").arg(exitCode().value_or(-1));
}
