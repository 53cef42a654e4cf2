#pragma once

#include "log/LogPage.h"

class AttachRun;
class DockerClient;

// A running interactive container's terminal in a tab again (the Containers view's Attach): what
// it writes from now on, keys to it. Closing the tab asks whether to detach again or stop it.
class AttachLogPage : public LogPage
{
    Q_OBJECT

public:
    AttachLogPage(DockerClient *client, const QString &id, const QString &name,
                  QWidget *parent = nullptr);

    TerminalView *terminal() const override { return m_terminal; }
    QString containerName() const { return spec().containerName; }

protected:
    QString stateText() const override;
    QString gpuShareText() const override;
    QString titleText(const QString &image) const override;
    QString endText() const override;

private:
    AttachLogPage(AttachRun *run, const QString &name, QWidget *parent);

    AttachRun *m_run;
    TerminalView *m_terminal;
};
