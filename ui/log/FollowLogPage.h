#pragma once

#include "log/LogPage.h"

class DockerClient;
class FollowRun;

// A running container's log tab, opened from the Containers view or brought back when the window
// opens: its last lines, then its output as it comes. Closing it only stops following.
class FollowLogPage : public LogPage
{
    Q_OBJECT

public:
    FollowLogPage(DockerClient *client, const QString &id, const QString &name, bool tty,
                  QWidget *parent = nullptr);

    QString containerName() const { return spec().containerName; }

protected:
    QString stateText() const override;
    QString gpuShareText() const override;
    QString titleText(const QString &image) const override;
    QString endText() const override;

private:
    FollowLogPage(FollowRun *run, const QString &name, QWidget *parent);

    FollowRun *m_run;
};
