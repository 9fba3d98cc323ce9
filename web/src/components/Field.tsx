// A labelled form field with its hint tied to it (aria-describedby), so every control says what it is.
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  hint?: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'tel';
  autoComplete?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  inputMode?: 'numeric' | 'tel';
  dir?: 'auto' | 'ltr';
}

export function Field(props: FieldProps) {
  const { label, hint, value, onInput, type = 'text', autoComplete, required, minLength, maxLength, inputMode, dir } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        // Preact's types tie each input type to its roles; a union of types does not narrow.
        type={type as 'text'}
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
        autoComplete={autoComplete}
        required={required}
        minLength={minLength}
        maxLength={maxLength}
        inputMode={inputMode}
        dir={dir}
        aria-describedby={hint ? hintId : undefined}
      />
      {hint ? (
        <p class="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
