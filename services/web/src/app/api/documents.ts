// Every operation the app sends. Named operations: the session refresh logic keys on some names.

export const ME = /* GraphQL */ `
  query Me {
    me {
      id
      name
      email
      role
    }
  }
`;

export const SIGN_IN = /* GraphQL */ `
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      user {
        id
        name
        email
        role
      }
    }
  }
`;

export const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      user {
        id
        name
        email
        role
      }
    }
  }
`;

export const CHANGE_PASSWORD = /* GraphQL */ `
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input)
  }
`;

/** ADMIN: one account, found by its email address or its id, with whether it is locked. */
const ADMIN_USER = /* GraphQL */ `
  fragment AdminUser on User {
    id
    name
    email
    role
    locked
  }
`;

export const USER_BY_EMAIL = /* GraphQL */ `
  query UserByEmail($email: String!) {
    userByEmail(email: $email) {
      ...AdminUser
    }
  }
  ${ADMIN_USER}
`;

export const USER_BY_ID = /* GraphQL */ `
  query UserById($id: ID!) {
    user(id: $id) {
      ...AdminUser
    }
  }
  ${ADMIN_USER}
`;

/** ADMIN: an account that can no longer sign in (every session ends); answers the number of sessions ended. */
export const LOCK_ACCOUNT = /* GraphQL */ `
  mutation LockAccount($userId: ID!) {
    lockAccount(userId: $userId)
  }
`;

export const UNLOCK_ACCOUNT = /* GraphQL */ `
  mutation UnlockAccount($userId: ID!) {
    unlockAccount(userId: $userId)
  }
`;

export const SIGN_OUT = /* GraphQL */ `
  mutation SignOut {
    signOut
  }
`;

const EVENT_SUMMARY = /* GraphQL */ `
  fragment EventSummary on Event {
    id
    title
    category
    status
    startsAt
    endsAt
    timeZone
    venue {
      name
      city
    }
  }
`;

export const EVENTS = /* GraphQL */ `
  query Events($filter: EventsFilterInput, $first: Int!, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...EventSummary
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${EVENT_SUMMARY}
`;

export const MY_EVENTS = /* GraphQL */ `
  query MyEvents {
    myEvents {
      ...EventSummary
    }
  }
  ${EVENT_SUMMARY}
`;

/** Published events where the signed-in person is on the staff (the scanner's list). */
export const MY_STAFF_EVENTS = /* GraphQL */ `
  query MyStaffEvents {
    myStaffEvents {
      ...EventSummary
    }
  }
  ${EVENT_SUMMARY}
`;

const TICKET_TYPE = /* GraphQL */ `
  fragment TicketTypeFields on TicketType {
    id
    name
    priceMinor
    currency
    kind
    quantity
    seatIds
    perOrderMax
    perBuyerMax
    salesStartAt
    salesEndAt
  }
`;

const EVENT_DETAIL = /* GraphQL */ `
  fragment EventDetail on Event {
    ...EventSummary
    organizerId
    description
    venue {
      name
      address
      city
      capacity
      seatMap {
        seatCount
        sections {
          name
          rows {
            name
            seats
          }
        }
      }
    }
    salesStartAt
    salesEndAt
    transferPolicy {
      allowed
      deadline
    }
    doorsOpenAt
    allowReentry
    cancelReason
    publishedAt
    version
    ticketTypes {
      ...TicketTypeFields
    }
  }
  ${EVENT_SUMMARY}
  ${TICKET_TYPE}
`;

/** The public event page: ticket types with their live availability (ticket subgraph). */
export const EVENT = /* GraphQL */ `
  query Event($id: ID!) {
    event(id: $id) {
      ...EventDetail
      ticketTypes {
        id
        availability {
          capacity
          remaining
          held
          sold
        }
        takenSeats
        myAllowance
      }
    }
  }
  ${EVENT_DETAIL}
`;

export const EVENT_TITLE = /* GraphQL */ `
  query EventTitle($id: ID!) {
    event(id: $id) {
      id
      title
      organizerId
      status
      cancelReason
      transferPolicy {
        allowed
        deadline
      }
      allowReentry
      startsAt
      timeZone
      venue {
        name
        city
      }
    }
  }
`;

/** The checkout's line about the event, and the names of its ticket types for the hold's lines. */
export const CHECKOUT_EVENT = /* GraphQL */ `
  query CheckoutEvent($id: ID!) {
    event(id: $id) {
      id
      title
      startsAt
      timeZone
      ticketTypes {
        id
        name
      }
    }
  }
`;

/** The organizer's editor: the event with its staff. */
export const EVENT_ADMIN = /* GraphQL */ `
  query EventAdmin($id: ID!) {
    event(id: $id) {
      ...EventDetail
      staff {
        userId
        email
        name
        addedAt
      }
    }
  }
  ${EVENT_DETAIL}
`;

const EVENT_ADMIN_RESULT = /* GraphQL */ `
  id
  version
  status
  cancelReason
  publishedAt
`;

export const CREATE_EVENT = /* GraphQL */ `
  mutation CreateEvent($input: CreateEventInput!) {
    createEvent(input: $input) {
      ${EVENT_ADMIN_RESULT}
    }
  }
`;

export const UPDATE_EVENT = /* GraphQL */ `
  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {
    updateEvent(id: $id, input: $input) {
      ...EventDetail
    }
  }
  ${EVENT_DETAIL}
`;

export const PUBLISH_EVENT = /* GraphQL */ `
  mutation PublishEvent($id: ID!) {
    publishEvent(id: $id) {
      ${EVENT_ADMIN_RESULT}
    }
  }
`;

export const CANCEL_EVENT = /* GraphQL */ `
  mutation CancelEvent($id: ID!, $reason: String!) {
    cancelEvent(id: $id, reason: $reason) {
      ${EVENT_ADMIN_RESULT}
    }
  }
`;

export const ADD_TICKET_TYPE = /* GraphQL */ `
  mutation AddTicketType($eventId: ID!, $input: TicketTypeInput!) {
    addTicketType(eventId: $eventId, input: $input) {
      ${EVENT_ADMIN_RESULT}
      ticketTypes {
        ...TicketTypeFields
      }
    }
  }
  ${TICKET_TYPE}
`;

export const UPDATE_TICKET_TYPE = /* GraphQL */ `
  mutation UpdateTicketType($id: ID!, $input: UpdateTicketTypeInput!) {
    updateTicketType(id: $id, input: $input) {
      ${EVENT_ADMIN_RESULT}
      ticketTypes {
        ...TicketTypeFields
      }
    }
  }
  ${TICKET_TYPE}
`;

const STAFF_RESULT = /* GraphQL */ `
  id
  version
  staff {
    userId
    email
    name
    addedAt
  }
`;

export const ADD_STAFF = /* GraphQL */ `
  mutation AddEventStaff($eventId: ID!, $email: String!) {
    addEventStaff(eventId: $eventId, email: $email) {
      ${STAFF_RESULT}
    }
  }
`;

export const REMOVE_STAFF = /* GraphQL */ `
  mutation RemoveEventStaff($eventId: ID!, $email: String!) {
    removeEventStaff(eventId: $eventId, email: $email) {
      ${STAFF_RESULT}
    }
  }
`;

const RESERVATION = /* GraphQL */ `
  fragment ReservationFields on Reservation {
    id
    status
    eventId
    expiresAt
    unitPrice {
      amount
      currency
    }
    total {
      amount
      currency
    }
    lines {
      ticketTypeId
      quantity
      seatIds
      unitPrice {
        amount
        currency
      }
    }
    orderId
  }
`;

export const RESERVE = /* GraphQL */ `
  mutation ReserveTickets($input: ReserveTicketsInput!) {
    reserveTickets(input: $input) {
      ...ReservationFields
    }
  }
  ${RESERVATION}
`;

export const RESERVATION_QUERY = /* GraphQL */ `
  query Reservation($id: ID!) {
    reservation(id: $id) {
      ...ReservationFields
    }
  }
  ${RESERVATION}
`;

/** The signed-in buyer's recent reservations, newest first (My tickets lists the ones still held). */
export const MY_RESERVATIONS = /* GraphQL */ `
  query MyReservations {
    myReservations {
      ...ReservationFields
    }
  }
  ${RESERVATION}
`;

export const RELEASE = /* GraphQL */ `
  mutation ReleaseReservation($id: ID!) {
    releaseReservation(id: $id) {
      ...ReservationFields
    }
  }
  ${RESERVATION}
`;

export const CHECKOUT = /* GraphQL */ `
  mutation Checkout($input: CheckoutInput!) {
    checkout(input: $input) {
      id
      status
      eventId
      total {
        amount
        currency
      }
      tickets {
        id
      }
    }
  }
`;

const TICKET = /* GraphQL */ `
  fragment TicketFields on Ticket {
    id
    eventId
    ticketTypeName
    seatId
    holderName
    generation
    status
    checkedIn
    pendingTransferId
    issuedAt
    qrToken
  }
`;

export const MY_TICKETS = /* GraphQL */ `
  query MyTickets {
    myTickets {
      ...TicketFields
    }
  }
  ${TICKET}
`;

export const DISPLAY_CODE = /* GraphQL */ `
  query TicketDisplayCode($id: ID!) {
    ticketDisplayCode(id: $id) {
      code
      validFrom
      validUntil
      stepSeconds
    }
  }
`;

const TRANSFER = /* GraphQL */ `
  fragment TransferFields on TicketTransfer {
    id
    ticketId
    eventId
    fromHolderId
    toEmail
    status
    createdAt
    resolvedAt
    reason
  }
`;

export const MY_TRANSFERS = /* GraphQL */ `
  query MyTransfers {
    myTransfers {
      ...TransferFields
      # Who offers what: here only, so the transfer mutations do not depend on these newer fields.
      fromHolderName
      ticketTypeName
      seatId
    }
  }
  ${TRANSFER}
`;

export const OFFER_TRANSFER = /* GraphQL */ `
  mutation OfferTransfer($ticketId: ID!, $toEmail: String!) {
    offerTransfer(ticketId: $ticketId, toEmail: $toEmail) {
      ...TransferFields
    }
  }
  ${TRANSFER}
`;

export const ACCEPT_TRANSFER = /* GraphQL */ `
  mutation AcceptTransfer($id: ID!) {
    acceptTransfer(transferId: $id) {
      ...TransferFields
    }
  }
  ${TRANSFER}
`;

export const DECLINE_TRANSFER = /* GraphQL */ `
  mutation DeclineTransfer($id: ID!) {
    declineTransfer(transferId: $id) {
      ...TransferFields
    }
  }
  ${TRANSFER}
`;

export const CANCEL_TRANSFER = /* GraphQL */ `
  mutation CancelTransfer($id: ID!) {
    cancelTransfer(transferId: $id) {
      ...TransferFields
    }
  }
  ${TRANSFER}
`;

const SALES = /* GraphQL */ `
  fragment SalesFields on SalesSummary {
    eventId
    at
    cancelled
    ticketTypes {
      ticketTypeId
      name
      capacity
      sold
      held
      remaining
      revenue {
        amount
        currency
      }
      refunded
      refundedRevenue {
        amount
        currency
      }
    }
  }
`;

export const SALES_SUMMARY = /* GraphQL */ `
  query SalesSummary($eventId: ID!) {
    salesSummary(eventId: $eventId) {
      ...SalesFields
    }
  }
  ${SALES}
`;

export const SALES_UPDATED = /* GraphQL */ `
  subscription SalesUpdated($eventId: ID!) {
    salesUpdated(eventId: $eventId) {
      ...SalesFields
    }
  }
  ${SALES}
`;

// Check-in (checkin subgraph).

export const SCAN_TICKET = /* GraphQL */ `
  mutation ScanTicket($input: ScanTicketInput!) {
    scanTicket(input: $input) {
      result
      reason
      ticketId
      holderName
      ticketTypeName
      generation
      method
      checkedInAt
      checkedInGateId
      scannedAt
      direction
      reentry
    }
  }
`;

export const OFFLINE_BUNDLE = /* GraphQL */ `
  query OfflineBundle($eventId: ID!) {
    offlineBundle(eventId: $eventId) {
      eventId
      version
      generatedAt
      doorsOpenAt
      endsAt
      allowReentry
      cancelled
      keys {
        kid
        kty
        crv
        x
        alg
      }
      tickets {
        ticketId
        generation
        holderName
        ticketTypeName
        transferPending
      }
      revocations {
        ticketId
        generation
        all
      }
    }
  }
`;

export const SYNC_SCANS = /* GraphQL */ `
  mutation SyncScans($input: SyncScansInput!) {
    syncScans(input: $input) {
      accepted
      conflicts
      rejected
      results {
        index
        nonce
        conflict
        errorCode
        errorField
        errorMessage
        outcome {
          result
          reason
          ticketId
          holderName
          ticketTypeName
          generation
          method
          checkedInAt
          checkedInGateId
          scannedAt
          direction
          reentry
        }
      }
    }
  }
`;

const ATTENDANCE = /* GraphQL */ `
  fragment AttendanceFields on Attendance {
    eventId
    admitted
    inside
    repeats
    conflicts
    refused
    gates {
      gateId
      admitted
    }
    perMinute {
      minute
      admitted
    }
    updatedAt
  }
`;

export const ATTENDANCE_QUERY = /* GraphQL */ `
  query Attendance($eventId: ID!) {
    attendance(eventId: $eventId) {
      ...AttendanceFields
    }
  }
  ${ATTENDANCE}
`;

export const ATTENDANCE_UPDATED = /* GraphQL */ `
  subscription AttendanceUpdated($eventId: ID!) {
    attendanceUpdated(eventId: $eventId) {
      ...AttendanceFields
    }
  }
  ${ATTENDANCE}
`;

// Pricing (pricing subgraph).

export const TICKET_PRICES = /* GraphQL */ `
  query TicketPrices($id: ID!) {
    event(id: $id) {
      id
      ticketTypes {
        id
        price {
          amount
          currency
          version
          nextTier {
            price {
              amount
              currency
            }
            startsAt
            afterSold
          }
        }
      }
    }
  }
`;

export const PRICE_CHANGED = /* GraphQL */ `
  subscription PriceChanged($eventId: ID!) {
    priceChanged(eventId: $eventId) {
      ticketTypeId
      version
      at
    }
  }
`;

export const PRICING_SETTINGS = /* GraphQL */ `
  query PricingSettings($ticketTypeId: ID!) {
    pricingSettings(ticketTypeId: $ticketTypeId) {
      ticketTypeId
      kind
      currency
      basePrice
      floor
      ceiling
      maxStepPct
      minIntervalSeconds
      sensitivity
      hysteresisPct
      priceEnding
      tiers {
        amount
        until
        untilSold
      }
      price {
        amount
        currency
        version
      }
    }
  }
`;

export const SET_PRICING_POLICY = /* GraphQL */ `
  mutation SetPricingPolicy($ticketTypeId: ID!, $input: SetPricingPolicyInput!) {
    setPricingPolicy(ticketTypeId: $ticketTypeId, input: $input) {
      ticketTypeId
      kind
      currency
      basePrice
      floor
      ceiling
      maxStepPct
      minIntervalSeconds
      sensitivity
      hysteresisPct
      priceEnding
      tiers {
        amount
        until
        untilSold
      }
      price {
        amount
        currency
        version
      }
    }
  }
`;

export const PRICE_HISTORY = /* GraphQL */ `
  query PriceHistory($ticketTypeId: ID!) {
    priceHistory(ticketTypeId: $ticketTypeId) {
      version
      price {
        amount
        currency
      }
      previous {
        amount
        currency
      }
      reason
      factors {
        name
        value
        detail
      }
      at
    }
  }
`;

// Waiting room (ticket subgraph): a queue in front of reserveTickets during busy sales.

const WAITING_ROOM_STATUS_FIELDS = /* GraphQL */ `
  fragment WaitingRoomStatusFields on WaitingRoomStatus {
    eventId
    state
    position
    estimatedWaitSeconds
    admissionPass
    passExpiresAt
    at
  }
`;

export const WAITING_ROOM_STATUS = /* GraphQL */ `
  query WaitingRoomStatus($eventId: ID!) {
    waitingRoomStatus(eventId: $eventId) {
      ...WaitingRoomStatusFields
    }
  }
  ${WAITING_ROOM_STATUS_FIELDS}
`;

export const JOIN_WAITING_ROOM = /* GraphQL */ `
  mutation JoinWaitingRoom($eventId: ID!) {
    joinWaitingRoom(eventId: $eventId) {
      ...WaitingRoomStatusFields
    }
  }
  ${WAITING_ROOM_STATUS_FIELDS}
`;

export const WAITING_ROOM_UPDATED = /* GraphQL */ `
  subscription WaitingRoomUpdated($eventId: ID!) {
    waitingRoomUpdated(eventId: $eventId) {
      ...WaitingRoomStatusFields
    }
  }
  ${WAITING_ROOM_STATUS_FIELDS}
`;

// The waiting room as its organizer sees it (ticket subgraph): switch, tuning, queue and admission rate.

const WAITING_ROOM_FIELDS = /* GraphQL */ `
  fragment WaitingRoomFields on WaitingRoom {
    eventId
    enabled
    passTtlSeconds
    initialLimit
    minLimit
    maxLimit
    targetLatencyMs
    waiting
    admittedOutstanding
    currentLimit
    admittedPerMinute
    averageReserveLatencyMs
    at
  }
`;

export const WAITING_ROOM = /* GraphQL */ `
  query WaitingRoom($eventId: ID!) {
    waitingRoom(eventId: $eventId) {
      ...WaitingRoomFields
    }
  }
  ${WAITING_ROOM_FIELDS}
`;

export const SET_WAITING_ROOM = /* GraphQL */ `
  mutation SetWaitingRoom($eventId: ID!, $input: SetWaitingRoomInput!) {
    setWaitingRoom(eventId: $eventId, input: $input) {
      ...WaitingRoomFields
    }
  }
  ${WAITING_ROOM_FIELDS}
`;
