#pragma once

#include "log/LogPage.h"

class DockerClient;
class SwarmRun;

// A swarm service's log tab, as `gpudeck swarm run --replicas N`: the output of every task.
class SwarmLogPage : public LogPage
{
    Q_OBJECT

public:
    SwarmLogPage(DockerClient *client, const LaunchSpec &spec, int replicas,
                 QWidget *parent = nullptr);

    SwarmLauncher *swarmLauncher() const override;

protected:
    QString stateText() const override;
    QString gpuShareText() const override;
    QString titleText(const QString &image) const override;
    QString endText() const override;

private:
    SwarmLogPage(SwarmRun *run, const LaunchSpec &spec, QWidget *parent);

    SwarmRun *m_run;
};
