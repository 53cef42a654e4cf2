#pragma once

#include "launch/LaunchSpec.h"
#include "launch/ValidationIssue.h"

#include <QHash>
#include <QSet>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

// What to run and how: image, command, environment, published ports, runtime, device driver,
// name, shared memory, IPC, network, who runs it ("As me": the desktop user's uid:gid), working
// directory, entrypoint, ulimits, auto-remove, interactive and TTY, with Launch and Stop. Problems
// are flagged at the field with the validator's message.
class LaunchForm : public QWidget
{
    Q_OBJECT

public:
    explicit LaunchForm(QWidget *parent = nullptr);

    // Writes the form's fields into spec; a command line that does not split lands in issues.
    void fillSpec(LaunchSpec *spec, QList<ValidationIssue> *issues) const;
    void setSpec(const LaunchSpec &spec);
    void setImage(const QString &image);
    QString image() const;
    void setRuntimes(const QStringList &runtimes, const QString &defaultRuntime);

    // Flags the fields this form owns; with all false only those the user has edited, so that a
    // fresh form is not red before anything was typed.
    void showIssues(const QList<ValidationIssue> &issues, bool all);

    void setRunning(bool running);
    void setLaunchEnabled(bool enabled, const QString &why = {});
    // A note shown above Launch (the picked GPUs are in use by others); empty hides it.
    void setNotice(const QString &notice);

signals:
    void changed();
    void launchRequested();
    void stopRequested();

private:
    void addEnvRow(const QString &key = {}, const QString &value = {});
    // A port row: container port(s) with an optional /protocol, host port(s) ("" lets the engine
    // pick), and the address it is published on (this machine only unless chosen otherwise).
    void addPortRow(const QString &containerPort = {}, const QString &hostPort = {},
                    const QString &address = QStringLiteral("127.0.0.1"));
    QStringList portEntries() const;
    void touch(const QString &field);
    QWidget *fieldWidget(const QString &field) const;

    QLineEdit *m_image;
    QLineEdit *m_command;
    QTableWidget *m_env;
    QTableWidget *m_ports;
    QComboBox *m_runtime;
    QComboBox *m_driver;
    QLineEdit *m_name;
    QComboBox *m_network;
    QLineEdit *m_shm;
    QComboBox *m_ipc;
    QLineEdit *m_user;
    QPushButton *m_asMe;
    QLineEdit *m_workdir;
    QLineEdit *m_entrypoint;
    QLineEdit *m_ulimits;
    QCheckBox *m_autoRemove;
    QCheckBox *m_interactive;
    QCheckBox *m_tty;
    QPushButton *m_launch;
    QPushButton *m_stop;
    QLabel *m_issues;
    QLabel *m_notice;
    QSet<QString> m_touched;
    QHash<QString, QString> m_tips; // each field's own tooltip, back when its issue goes
};
