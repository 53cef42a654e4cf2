#pragma once

#include <QComboBox>
#include <QPointer>

class EngineSelection;

// The status bar's engine picker: the registry's engines, the selected one current. The engine
// list shows the same engines; either one selects.
class EnginePicker : public QComboBox
{
    Q_OBJECT

public:
    explicit EnginePicker(QWidget *parent = nullptr);

    void setSelection(EngineSelection *selection);
    void fill();

private:
    void onPicked(int index);

    QPointer<EngineSelection> m_selection;
};
