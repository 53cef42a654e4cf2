#include "log/AttachLogPage.h"

#include "log/AttachRun.h"
#include "terminal/TerminalPlug.h"
#include "terminal/TerminalScreen.h"
#include "terminal/TerminalView.h"

namespace {

// A container's spec, as an interactive one.
LaunchSpec specNamed(const QString &name)
{
    LaunchSpec spec = LogPage::specOfContainer(name);
    spec.interactive = true;
    spec.tty = true;
    return spec;
}

} // namespace

AttachLogPage::AttachLogPage(DockerClient *client, const QString &id, const QString &name,
                             QWidget *parent)
    : AttachLogPage(new AttachRun(client, id), name, parent)
{
}

AttachLogPage::AttachLogPage(AttachRun *run, const QString &name, QWidget *parent)
    : LogPage(run, specNamed(name), parent), m_run(run), m_terminal(new TerminalView(this))
{
    statusLabel()->setAccessibleName(tr("Container state"));
    portsLabel()->setVisible(false);
    replaceOutputView(m_terminal);
    setFocusProxy(m_terminal);
    TerminalScreen *screen = m_terminal->screen();
    plugTerminal(m_terminal, run, &LaunchRun::output, &AttachRun::write, &AttachRun::resize);
    connect(screen, &TerminalScreen::titleChanged, this, &AttachLogPage::updateStatus);
    run->resize(screen->rows(), screen->columns());
    updateStatus();
}

QString AttachLogPage::stateText() const
{
    switch (state()) {
    case Launcher::State::Attaching: return tr("Attaching to %1…").arg(spec().containerName);
    case Launcher::State::Running:
        return tr("Attached to %1 (%2)").arg(spec().containerName, m_run->id().left(12));
    case Launcher::State::Exited: return tr("Exited with code %1").arg(exitCode().value_or(-1));
    case Launcher::State::Failed: return tr("Failed: %1").arg(error().message());
    case Launcher::State::Cancelled: return tr("Detached: %1 runs on").arg(spec().containerName);
    default: return tr("Not attached yet");
    }
}

QString AttachLogPage::gpuShareText() const
{
    return tr("the GPUs it was given");
}

QString AttachLogPage::titleText(const QString &image) const
{
    Q_UNUSED(image)
    const QString program = m_terminal->screen()->title();
    return program.isEmpty() ? spec().containerName : program;
}

QString AttachLogPage::endText() const
{
    if (state() == Launcher::State::Cancelled)
        return tr("— detached; the container runs on —");
    return tr("— exited with code %1 —").arg(exitCode().value_or(-1));
}
