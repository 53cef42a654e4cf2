#pragma once

#include "log/LogPage.h"

#include <QPointer>

class ContainerRun;
class DockerClient;
class PortLinks;
class QPushButton;
class ShellPage;
class TerminalView;

// A container's log tab: its output, its state, and its published ports as links this machine
// can open (printed URLs in the output become links to them too).
class ContainerLogPage : public LogPage
{
    Q_OBJECT

public:
    ContainerLogPage(DockerClient *client, const LaunchSpec &spec, QWidget *parent = nullptr);

    Launcher *launcher() const override;
    // The container's published ports as links (null without ports).
    PortLinks *portLinks() const { return m_portLinks; }
    TerminalView *terminal() const override { return m_terminal; }

protected:
    QString stateText() const override;
    QString gpuShareText() const override;
    QString titleText(const QString &image) const override;
    QString endText() const override;
    QString failureText() const override;
    void rendered(int first) override;
    void ending() override;

private:
    ContainerLogPage(DockerClient *client, ContainerRun *run, const LaunchSpec &spec,
                     QWidget *parent);
    void onPortsReady();
    void updatePorts();
    // Turns the URLs of blocks from `first` on into links to the published ports.
    void linkify(int first);

    void openShell();

    QPointer<DockerClient> m_client;
    ContainerRun *m_run;
    QPushButton *m_shellButton;
    QPointer<ShellPage> m_shell;
    TerminalView *m_terminal = nullptr; // an interactive launch with a tty: its terminal
    PortLinks *m_portLinks = nullptr;
    QString m_portsProblem;
    bool m_waitNoted = false; // the tab said once what its launch waits for
};
