#pragma once

#include "doctor/Doctor.h"

#include <QDialog>
#include <QList>
#include <QPointer>

class DockerClient;
class GpuInventory;
class QLabel;
class QPushButton;
class QVBoxLayout;

// The GPU readiness checklist in a dialog: one line per check, passed or failed, with what was
// found, the fix, and a copy button for the command that fixes it.
class DoctorDialog : public QDialog
{
    Q_OBJECT

public:
    DoctorDialog(DockerClient *client, GpuInventory *inventory, const QList<LaunchSpec> &presets,
                 QWidget *parent = nullptr);

    void run();
    Doctor *doctor() const { return m_doctor; }
    // Why it was opened (a failed launch), shown above the list; empty for none.
    void setReason(const QString &reason);

private:
    void rebuild();
    QWidget *row(const Doctor::Check &check);

    DockerClient *m_client;
    GpuInventory *m_inventory;
    QList<LaunchSpec> m_presets;
    QPointer<Doctor> m_doctor;
    QLabel *m_reason;
    QLabel *m_summary;
    QWidget *m_list;
    QVBoxLayout *m_rows;
    QPushButton *m_again;
};
