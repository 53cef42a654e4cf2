#include "ExecTerminal.h"

#include "TerminalPlug.h"
#include "TerminalScreen.h"
#include "TerminalView.h"

#include "engine/DockerClient.h"
#include "engine/EngineError.h"
#include "engine/ExecSession.h"

ExecTerminal::ExecTerminal(DockerClient *client, QString container, TerminalView *view,
                           QStringList command, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_container(std::move(container)),
      m_name(m_container),
      m_view(view),
      m_command(command.isEmpty() ? shellCommand() : std::move(command))
{
}

QStringList ExecTerminal::shellCommand()
{
    // One exec, so the shell's exit code is the session's.
    return {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
            QStringLiteral("if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh")};
}

void ExecTerminal::start()
{
    if (m_session || !m_view)
        return;
    ExecSession::Options options;
    options.command = m_command;
    options.tty = true;
    options.interactive = true;
    options.rows = m_view->screen()->rows();
    options.columns = m_view->screen()->columns();
    // TERM as docker exec -t leaves it unset; libvterm answers as an xterm.
    options.env = {QStringLiteral("TERM=xterm-256color")};
    m_session = new ExecSession(m_client, m_container, options, this);
    plugTerminal(m_view, m_session, &ExecSession::output, &ExecSession::write,
                 &ExecSession::resize);
    connect(m_session, &ExecSession::started, this, &ExecTerminal::started);
    connect(m_session, &ExecSession::finished, this, [this]() {
        if (m_view)
            m_view->screen()->feed(QStringLiteral("\r\n\x1b[0m[%1]\r\n").arg(endText()).toUtf8());
        emit ended();
    });
    m_session->start();
}

void ExecTerminal::stop()
{
    if (m_session)
        m_session->cancel();
}

bool ExecTerminal::isRunning() const
{
    return m_session && !m_session->isFinished();
}

std::optional<int> ExecTerminal::exitCode() const
{
    return m_session ? m_session->exitCode() : std::nullopt;
}

Error ExecTerminal::error() const
{
    return m_session ? m_session->error() : Error();
}

QString ExecTerminal::endText() const
{
    if (isRunning() || !m_session)
        return {};
    if (const std::optional<int> code = exitCode())
        return tr("The shell ended with exit code %1.").arg(*code);
    const Error ended = error();
    // The engine went away under the shell: say so, not which call noticed it first.
    if (EngineError::isEngineLost(ended))
        return EngineError::lostDuringRun(
                   Error(ended.code(), tr("The shell's connection to the engine broke off"),
                         ended.why()),
                   m_name, QString())
            .message();
    return ended.message();
}
