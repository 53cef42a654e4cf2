#pragma once

#include "launch/LaunchSpec.h"

#include <QWidget>

class QPlainTextEdit;
class QTabWidget;
class QToolButton;

// The launch the window shows, as the `docker run` line and the Docker SDK for Python script
// that do the same, each with a copy button. It follows every tick and keystroke.
class CommandPane : public QWidget
{
    Q_OBJECT

public:
    explicit CommandPane(QWidget *parent = nullptr);

    void setSpec(const LaunchSpec &spec);
    QString dockerRun() const;
    QString python() const;

private:
    QWidget *page(QPlainTextEdit *text, QToolButton *copy, const QString &what);

    QTabWidget *m_tabs;
    QPlainTextEdit *m_dockerRun;
    QPlainTextEdit *m_python;
    QToolButton *m_copyDockerRun;
    QToolButton *m_copyPython;
    LaunchSpec m_spec;
    bool m_haveSpec = false;
};
