#include "ShellPage.h"

#include "ExecTerminal.h"
#include "TerminalScreen.h"
#include "TerminalView.h"

#include <QLabel>
#include <QVBoxLayout>

ShellPage::ShellPage(DockerClient *client, const QString &container, const QString &name,
                     QWidget *parent, const QStringList &command)
    : QWidget(parent),
      m_view(new TerminalView(this)),
      m_terminal(new ExecTerminal(client, container, m_view, command, this)),
      m_status(new QLabel(this)),
      m_title(tr("Shell: %1").arg(name))
{
    setObjectName(QStringLiteral("shellPage"));
    m_terminal->setContainerName(name);
    m_status->setObjectName(QStringLiteral("shellStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(tr("Starting a shell in %1…").arg(name));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    setFocusProxy(m_view);
    setWindowTitle(m_title);

    connect(m_view->screen(), &TerminalScreen::titleChanged, this, [this, name](const QString &t) {
        m_title = t.isEmpty() ? tr("Shell: %1").arg(name) : t;
        setWindowTitle(m_title);
        emit titleChanged(m_title);
    });
    connect(m_terminal, &ExecTerminal::started, this,
            [this, name]() { m_status->setText(tr("Shell in %1").arg(name)); });
    connect(m_terminal, &ExecTerminal::ended, this, [this]() {
        m_status->setText(m_terminal->endText());
        emit ended();
    });
}

void ShellPage::start()
{
    m_terminal->start();
}
