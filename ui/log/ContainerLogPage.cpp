#include "log/ContainerLogPage.h"

#include "engine/EngineError.h"
#include "launch/FreeGpuPicker.h"
#include "launch/PortLinks.h"
#include "log/ContainerRun.h"
#include "terminal/ShellPage.h"
#include "terminal/TerminalPlug.h"
#include "terminal/TerminalScreen.h"
#include "terminal/TerminalView.h"

#include "engine/DockerClient.h"

#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>

#include <utility>

ContainerLogPage::ContainerLogPage(DockerClient *client, const LaunchSpec &spec, QWidget *parent)
    : ContainerLogPage(client, new ContainerRun(client, spec), spec, parent)
{
}

ContainerLogPage::ContainerLogPage(DockerClient *client, ContainerRun *run, const LaunchSpec &spec,
                                   QWidget *parent)
    : LogPage(run, spec, parent),
      m_client(client),
      m_run(run),
      m_shellButton(new QPushButton(tr("Shell"), this))
{
    // A shell in the running container, in a terminal window of its own that closes with the tab.
    m_shellButton->setObjectName(QStringLiteral("shellButton"));
    m_shellButton->setToolTip(tr("Open a terminal running bash (or sh) in the container"));
    m_shellButton->setEnabled(false);
    addControl(m_shellButton);
    connect(m_shellButton, &QPushButton::clicked, this, &ContainerLogPage::openShell);
    connect(run->launcher(), &Launcher::stateChanged, this, [this](Launcher::State state) {
        m_shellButton->setEnabled(state == Launcher::State::Running);
    });
    textEdit()->setAccessibleName(tr("Container output"));
    statusLabel()->setAccessibleName(tr("Container state"));
    Launcher *launcher = run->launcher();
    if (!spec.ports.isEmpty()) {
        m_portLinks = new PortLinks(client, this);
        connect(m_portLinks, &PortLinks::ready, this, &ContainerLogPage::onPortsReady);
        connect(m_portLinks, &PortLinks::failed, this, [this](const Error &error) {
            m_portsProblem = error.message();
            updatePorts();
        });
        // The bindings are read back once the container runs: the engine may have picked the ports.
        connect(launcher, &Launcher::stateChanged, this, [this](Launcher::State state) {
            if (state == Launcher::State::Running && !m_portLinks->isReady())
                m_portLinks->open(m_run->id());
        });
    }
    portsLabel()->setVisible(!spec.ports.isEmpty());
    // "N free GPUs" and too few free: the tab waits in line until they are (Stop cancels).
    launcher->setWaitForGpus(spec.gpus.mode == GpuSelection::Mode::Free);
    connect(launcher, &Launcher::waitingForGpus, this, [this]() {
        if (!std::exchange(m_waitNoted, true))
            addNote(tr("Waiting for %1: %2")
                        .arg(this->spec().gpus.summary(), m_run->launcher()->waitReason().why()));
        updateStatus();
    });
    connect(launcher, &Launcher::gaveWay, this, [this](const QString &holder) {
        addNote(tr("%1 claimed the same GPUs first: picking again").arg(holder));
    });
    connect(launcher, &Launcher::gpusTaken, this, [this]() {
        addNote(tr("Taking %1 (%2)")
                    .arg(FreeGpuPicker::describe(m_run->launcher()->takenGpus()),
                         this->spec().gpus.summary()));
        updateStatus();
    });
    // docker run -it: the container's terminal, keys to its stdin over the hijacked attach.
    if (spec.interactive && spec.tty) {
        m_terminal = new TerminalView(this);
        replaceOutputView(m_terminal);
        setFocusProxy(m_terminal);
        TerminalScreen *screen = m_terminal->screen();
        plugTerminal(m_terminal, launcher, &Launcher::output, &Launcher::writeStdin,
                     &Launcher::resize);
        // The tab's title is the one the program sets (OSC 0/2), as a terminal's window is.
        connect(screen, &TerminalScreen::titleChanged, this, &ContainerLogPage::updateStatus);
        launcher->resize(screen->rows(), screen->columns());
    }
    updateStatus();
    updatePorts();
}

void ContainerLogPage::openShell()
{
    if (m_shell) {
        m_shell->activateWindow();
        return;
    }
    const QString name = spec().containerName.isEmpty() ? m_run->id().left(12)
                                                        : spec().containerName;
    m_shell = new ShellPage(m_client, m_run->id(), name, this);
    m_shell->setWindowFlag(Qt::Window);
    m_shell->setAttribute(Qt::WA_DeleteOnClose);
    m_shell->resize(m_shell->sizeHint());
    m_shell->show();
    m_shell->start();
}

Launcher *ContainerLogPage::launcher() const
{
    return m_run->launcher();
}

QString ContainerLogPage::stateText() const
{
    const QString id = m_run->id().left(12);
    switch (state()) {
    case Launcher::State::Idle: return tr("Not started");
    case Launcher::State::Creating: {
        const Launcher *launch = m_run->launcher();
        if (!launch->isWaitingForGpus())
            return tr("Creating the container…");
        const int place = launch->placeInLine();
        return tr("Waiting for %1 (%2): %3")
            .arg(spec().gpus.summary(),
                 place <= 1 ? tr("next in line") : tr("place %1 in line").arg(place),
                 launch->waitReason().why());
    }
    case Launcher::State::Attaching:
    case Launcher::State::Waiting: return tr("Attaching to %1…").arg(id);
    case Launcher::State::Starting: return tr("Starting %1…").arg(id);
    case Launcher::State::Running: return tr("Running: %1").arg(id);
    case Launcher::State::Stopping: return tr("Stopping %1…").arg(id);
    case Launcher::State::Exited:
        return exitCode() ? tr("Exited with code %1").arg(*exitCode()) : tr("Exited");
    case Launcher::State::Failed: return failureText();
    case Launcher::State::Cancelled:
        return m_run->launcher()->isDetached() ? tr("Detached: %1 runs on").arg(id)
                                               : tr("Cancelled");
    }
    return {};
}

QString ContainerLogPage::gpuShareText() const
{
    const GpuSelection &gpus = spec().gpus;
    switch (gpus.mode) {
    case GpuSelection::Mode::Count:
        return gpus.count == 1 ? tr("the first GPU") : tr("the first %1 GPUs").arg(gpus.count);
    case GpuSelection::Mode::Devices:
        return tr("GPUs %1").arg(gpus.devices.join(QStringLiteral(", ")));
    default: {
        const QList<GpuInfo> &taken = m_run->launcher()->takenGpus();
        return taken.isEmpty() ? gpus.summary() : FreeGpuPicker::describe(taken);
    }
    }
}

QString ContainerLogPage::titleText(const QString &image) const
{
    if (m_terminal && !m_terminal->screen()->title().isEmpty())
        return m_terminal->screen()->title();
    const QString id = m_run->id().left(12);
    return id.isEmpty() ? image : tr("%1 · %2").arg(image, id);
}

QString ContainerLogPage::failureText() const
{
    const Launcher *launch = m_run->launcher();
    // The container's command could not be run: docker run's code and what it means.
    const int code = launch->failureExitCode();
    const QString meaning = EngineError::startFailureText(code);
    if (!meaning.isEmpty())
        return tr("Exited %1: %2 (%3)").arg(code).arg(meaning, error().why());
    // The engine went away under a running container: it may still run there.
    if (!launch->containerId().isEmpty() && EngineError::isEngineLost(error())) {
        const QString name = spec().containerName.isEmpty() ? launch->containerId().left(12)
                                                            : spec().containerName;
        return EngineError::lostDuringRun(error(), name, QString()).message();
    }
    return LogPage::failureText();
}

QString ContainerLogPage::endText() const
{
    if (state() == Launcher::State::Cancelled)
        return m_run->launcher()->isDetached() ? tr("— detached; the container runs on —")
                                               : tr("— cancelled —");
    return tr("— exited with code %1 —").arg(exitCode().value_or(-1));
}

void ContainerLogPage::rendered(int first)
{
    linkify(first);
}

void ContainerLogPage::ending()
{
    if (m_portLinks)
        m_portLinks->close(); // ends the ssh forwards with the container
    updatePorts();
}

void ContainerLogPage::onPortsReady()
{
    updatePorts();
    linkify(0); // output that came before the bindings were known
}

void ContainerLogPage::updatePorts()
{
    if (!m_portLinks)
        return;
    QStringList items;
    if (state() == Launcher::State::Exited || state() == Launcher::State::Failed
        || state() == Launcher::State::Cancelled) {
        portsLabel()->setText(tr("Published ports: closed with the container"));
        return;
    }
    if (!m_portLinks->isReady()) {
        portsLabel()->setText(
            tr("Published ports: %1").arg(spec().ports.join(QStringLiteral(", ")).toHtmlEscaped()));
        return;
    }
    for (const PortMappings::Published &published : m_portLinks->published()) {
        const QString engineSide = QStringLiteral("%1/%2 → %3:%4")
                                       .arg(published.containerPort)
                                       .arg(published.protocol,
                                            published.hostIp.contains(QLatin1Char(':'))
                                                ? QString(QLatin1Char('[') + published.hostIp
                                                          + QLatin1Char(']'))
                                                : published.hostIp)
                                       .arg(published.hostPort);
        QString item = engineSide.toHtmlEscaped();
        for (const PortLinks::Link &link : m_portLinks->links()) {
            if (link.published.containerPort == published.containerPort
                && link.published.protocol == published.protocol
                && link.published.hostIp == published.hostIp) {
                const QString url = link.url.toString();
                item = QStringLiteral("<a href=\"%1\">%2</a>")
                           .arg(url.toHtmlEscaped(), engineSide.toHtmlEscaped());
                if (link.forwarded)
                    item +=
                        tr(" (forwarded over ssh to %1)").arg(link.url.authority().toHtmlEscaped());
            }
        }
        items << item;
    }
    QString text = items.isEmpty()
                       ? tr("Published ports: none reachable from here")
                       : tr("Published ports: %1").arg(items.join(QStringLiteral(", ")));
    if (!m_portsProblem.isEmpty())
        text += QStringLiteral("<br>") + m_portsProblem.toHtmlEscaped();
    portsLabel()->setText(text);
}

void ContainerLogPage::linkify(int first)
{
    if (!m_portLinks || m_portLinks->links().isEmpty())
        return;
    QTextDocument *document = textEdit()->document();
    QTextCharFormat linkFormat;
    linkFormat.setAnchor(true);
    linkFormat.setForeground(palette().color(QPalette::Link));
    linkFormat.setFontUnderline(true);
    QTextCursor cursor(document);
    bool editing = false;
    for (QTextBlock block = document->findBlockByNumber(qMax(0, first)); block.isValid();
         block = block.next()) {
        for (const PortLinks::Match &match : m_portLinks->find(block.text())) {
            if (!editing) {
                cursor.beginEditBlock();
                editing = true;
            }
            cursor.setPosition(block.position() + int(match.start));
            cursor.setPosition(block.position() + int(match.start + match.length),
                               QTextCursor::KeepAnchor);
            linkFormat.setAnchorHref(match.target.toString());
            cursor.mergeCharFormat(linkFormat);
        }
    }
    if (editing)
        cursor.endEditBlock();
}
