#pragma once

#include <QStringList>
#include <QWidget>

class DockerClient;
class ExecTerminal;
class QLabel;
class TerminalView;

// A shell in a running container: a terminal and a line that says how the shell ended. The title
// is the one the program sets, else the container's name.
class ShellPage : public QWidget
{
    Q_OBJECT

public:
    ShellPage(DockerClient *client, const QString &container, const QString &name,
              QWidget *parent = nullptr, const QStringList &command = {});

    TerminalView *view() const { return m_view; }
    ExecTerminal *terminal() const { return m_terminal; }
    QString title() const { return m_title; }

    void start();

signals:
    void titleChanged(const QString &title);
    void ended();

private:
    TerminalView *m_view;
    ExecTerminal *m_terminal;
    QLabel *m_status;
    QString m_title;
};
