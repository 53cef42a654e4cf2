#include "window/ToolDialogs.h"

#include "doctor/DoctorDialog.h"
#include "images/PullDialog.h"

#include <QWidget>

ToolDialogs::ToolDialogs(QWidget *window) : QObject(window), m_window(window) { }

DoctorDialog *ToolDialogs::doctor() const
{
    return m_doctor;
}

PullDialog *ToolDialogs::pull() const
{
    return m_pull;
}

DoctorDialog *ToolDialogs::showDoctor(DockerClient *client, GpuInventory *gpus,
                                      const QList<LaunchSpec> &launches, const QString &reason)
{
    if (m_doctor)
        m_doctor->close();
    m_doctor = new DoctorDialog(client, gpus, launches, m_window);
    m_doctor->setReason(reason);
    m_doctor->show();
    m_doctor->run();
    return m_doctor;
}

PullDialog *ToolDialogs::showPull(DockerClient *client, const QString &reference, bool start)
{
    if (m_pull && !m_pull->pull()) {
        m_pull->close();
    } else if (m_pull) {
        m_pull->raise();
        m_pull->activateWindow();
        return m_pull;
    }
    m_pull = new PullDialog(client, reference, m_window);
    connect(m_pull, &PullDialog::pulled, this, &ToolDialogs::pulled);
    m_pull->show();
    if (start)
        m_pull->start();
    return m_pull;
}
