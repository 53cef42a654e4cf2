#pragma once

#include "launch/LaunchSpec.h"

#include <QObject>
#include <QPointer>

class DockerClient;
class DoctorDialog;
class GpuInventory;
class PullDialog;
class QWidget;

// The window's dialogs for an engine: the GPU readiness checklist and the image pull, one of each
// at a time, neither modal.
class ToolDialogs : public QObject
{
    Q_OBJECT

public:
    explicit ToolDialogs(QWidget *window);

    DoctorDialog *doctor() const;
    PullDialog *pull() const;
    // A new checklist run for client's engine, checking these launches too.
    DoctorDialog *showDoctor(DockerClient *client, GpuInventory *gpus,
                             const QList<LaunchSpec> &launches, const QString &reason);
    // A pull under way is brought to the front; else a new dialog, pulling at once with start.
    PullDialog *showPull(DockerClient *client, const QString &reference, bool start);

signals:
    void pulled(const QString &image);

private:
    QWidget *m_window;
    QPointer<DoctorDialog> m_doctor;
    QPointer<PullDialog> m_pull;
};
